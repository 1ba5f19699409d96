/**
 * The pause image's bytes, read back by parsing: the ELF header and program headers of each
 * architecture's executable, the ustar archive around it; the host's executable really runs and
 * blocks; and ensurePauseImage's import decisions, against a stand-in for dockerode's two calls.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type Docker from 'dockerode';
import { PAUSE_IMAGE, ensurePauseImage, pauseExecutable, pauseImageTar } from './pause-image.ts';

interface ProgramHeader { type: number; flags: number; offset: bigint; vaddr: bigint; filesz: bigint; memsz: bigint; align: bigint }

function parseElf(elf: Buffer) {
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  const phnum = elf.readUInt16LE(56);
  const headers: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    headers.push({
      type: elf.readUInt32LE(at),
      flags: elf.readUInt32LE(at + 4),
      offset: elf.readBigUInt64LE(at + 8),
      vaddr: elf.readBigUInt64LE(at + 16),
      filesz: elf.readBigUInt64LE(at + 32),
      memsz: elf.readBigUInt64LE(at + 40),
      align: elf.readBigUInt64LE(at + 48),
    });
  }
  return {
    magic: elf.subarray(0, 4).toString('latin1'),
    elfClass: elf[4],
    data: elf[5],
    version: elf[6],
    type: elf.readUInt16LE(16),
    machine: elf.readUInt16LE(18),
    entry: elf.readBigUInt64LE(24),
    phoff,
    shnum: elf.readUInt16LE(60),
    ehsize: elf.readUInt16LE(52),
    phentsize,
    headers,
  };
}

/** The bytes at virtual address `address`, through the PT_LOAD segment that maps it. */
function bytesAt(elf: Buffer, address: bigint, length: number): Buffer {
  const load = parseElf(elf).headers.find((h) => h.type === 1 && address >= h.vaddr && address < h.vaddr + h.filesz);
  assert.ok(load, `no PT_LOAD maps 0x${address.toString(16)}`);
  const at = Number(load.offset + (address - load.vaddr));
  return elf.subarray(at, at + length);
}

function parseTar(tar: Buffer) {
  const header = tar.subarray(0, 512);
  const field = (offset: number, length: number) => header.subarray(offset, offset + length).toString('latin1').replace(/\0.*$/s, '');
  const withBlankSum = Buffer.from(header);
  withBlankSum.fill(0x20, 148, 156);
  return {
    name: field(0, 100),
    mode: parseInt(field(100, 8), 8),
    uid: parseInt(field(108, 8), 8),
    gid: parseInt(field(116, 8), 8),
    size: parseInt(field(124, 12), 8),
    typeflag: field(156, 1),
    magic: header.subarray(257, 263).toString('latin1'),
    version: field(263, 2),
    storedSum: parseInt(field(148, 8).trim(), 8),
    computedSum: withBlankSum.reduce((sum, byte) => sum + byte, 0),
  };
}

describe('pauseExecutable', () => {
  const machines = { x64: 62, arm64: 183 } as const;

  for (const arch of ['x64', 'arm64'] as const) {
    it(`${arch}: a static little-endian ELF64 executable whose entry point lies in its one R+X PT_LOAD segment`, () => {
      const elf = pauseExecutable(arch);
      const h = parseElf(elf);
      assert.equal(h.magic, '\x7fELF');
      assert.equal(h.elfClass, 2, 'ELFCLASS64');
      assert.equal(h.data, 1, 'little-endian');
      assert.equal(h.version, 1);
      assert.equal(h.type, 2, 'ET_EXEC');
      assert.equal(h.machine, machines[arch]);
      assert.equal(h.ehsize, 64);
      assert.equal(h.phoff, 64);
      assert.equal(h.phentsize, 56);
      assert.equal(h.shnum, 0);

      const loads = h.headers.filter((p) => p.type === 1);
      assert.equal(loads.length, 1, 'one PT_LOAD');
      const load = loads[0]!;
      assert.equal(load.flags, 5, 'read + execute, not writable');
      assert.equal(load.offset, 0n);
      assert.equal(load.filesz, BigInt(elf.length), 'maps the whole file');
      assert.equal(load.memsz, load.filesz);
      assert.equal(load.vaddr % load.align, 0n, 'segment aligned to its page size');
      assert.ok(h.entry >= load.vaddr + BigInt(h.phoff + h.headers.length * h.phentsize), 'entry after the headers');
      assert.ok(h.entry < load.vaddr + load.filesz, 'entry inside the segment');

      const stack = h.headers.find((p) => p.type === 0x6474e551);
      assert.ok(stack, 'PT_GNU_STACK present');
      assert.equal(stack.flags & 1, 0, 'stack not executable');
    });
  }

  it('x64: the entry point is `mov eax, 34; syscall; jmp` back to itself (pause, forever)', () => {
    const elf = pauseExecutable('x64');
    const code = bytesAt(elf, parseElf(elf).entry, 9);
    assert.deepEqual([...code.subarray(0, 5)], [0xb8, 34, 0, 0, 0], 'mov eax, 34');
    assert.deepEqual([...code.subarray(5, 7)], [0x0f, 0x05], 'syscall');
    assert.equal(code[7], 0xeb, 'jmp rel8');
    assert.equal(code.readInt8(8), -9, 'back to the entry');
  });

  it('arm64: the entry point sets x8 = 73 (ppoll) and x0..x3 = 0, traps, and branches back to itself', () => {
    const elf = pauseExecutable('arm64');
    const entry = parseElf(elf).entry;
    assert.equal(entry % 4n, 0n, 'instructions are word-aligned');
    const code = bytesAt(elf, entry, 28);
    const insn = Array.from({ length: 7 }, (_, i) => code.readUInt32LE(i * 4));
    const movz = (reg: number, imm: number) => (0xd2800000 | (imm << 5) | reg) >>> 0;
    assert.deepEqual(insn.slice(0, 5), [movz(0, 0), movz(1, 0), movz(2, 0), movz(3, 0), movz(8, 73)]);
    assert.equal(insn[5], 0xd4000001, 'svc #0');
    assert.equal(insn[6]! >>> 26, 0b000101, 'b');
    const offset = ((insn[6]! & 0x3ffffff) << 6) >> 6;
    assert.equal(offset * 4, -24, 'back to the entry');
  });

  it('throws a clear error for any other architecture', () => {
    assert.throws(() => pauseExecutable('ia32'), /architecture "ia32".*x64 or arm64/);
    assert.throws(() => pauseImageTar('riscv64'), /architecture "riscv64"/);
  });

  it("the host's executable runs, and keeps running until killed", { skip: process.arch !== 'x64' && process.arch !== 'arm64' ? 'no pause executable for this host' : false, timeout: 10_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-pause-'));
    try {
      const path = join(dir, 'pause');
      writeFileSync(path, pauseExecutable(process.arch), { mode: 0o755 });
      const child = spawn(path, [], { stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) => resolve(signal ?? code));
      });
      const early = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 1000))]);
      assert.equal(early, 'running', 'still running after a second');
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pauseImageTar', () => {
  for (const arch of ['x64', 'arm64'] as const) {
    it(`${arch}: one ustar entry, regular file "pause", mode 0755, root-owned, valid checksum, padded, two zero blocks`, () => {
      const tar = pauseImageTar(arch);
      const elf = pauseExecutable(arch);
      const h = parseTar(tar);
      assert.equal(h.name, 'pause');
      assert.equal(h.typeflag, '0', 'regular file');
      assert.equal(h.mode, 0o755);
      assert.equal(h.uid, 0);
      assert.equal(h.gid, 0);
      assert.equal(h.magic, 'ustar\0');
      assert.equal(h.version, '00');
      assert.equal(h.storedSum, h.computedSum, 'header checksum');
      assert.equal(h.size, elf.length);

      assert.equal(tar.length % 512, 0, 'whole blocks');
      const padded = Math.ceil(elf.length / 512) * 512;
      assert.equal(tar.length, 512 + padded + 1024, 'header, padded data, end blocks; nothing else');
      assert.deepEqual(tar.subarray(512, 512 + elf.length), elf, 'the executable, byte for byte');
      assert.ok(tar.subarray(512 + elf.length).every((b) => b === 0), 'zero padding and zero end blocks');
    });
  }

  it('is the same bytes every time (no timestamps)', () => {
    assert.deepEqual(pauseImageTar('x64'), pauseImageTar('x64'));
  });
});

/** dockerode's getImage(...).inspect() and importImage, the two calls ensurePauseImage makes. */
function fakeDocker(progress: () => string[]) {
  const images = new Set<string>();
  const imports: { options: Record<string, unknown>; body: Buffer }[] = [];
  const docker = {
    getImage: (name: string) => ({
      inspect: async () => {
        await new Promise((r) => setImmediate(r));
        if (!images.has(name)) throw Object.assign(new Error('No such image'), { statusCode: 404 });
        return { Id: 'sha256:x' };
      },
    }),
    importImage: async (body: NodeJS.ReadableStream, options: Record<string, unknown>) => {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
      imports.push({ options, body: Buffer.concat(chunks) });
      const lines = progress();
      if (!lines.some((l) => l.includes('error'))) images.add(`${options.repo}:${options.tag}`);
      return Readable.from(lines.map((l) => `${l}\r\n`));
    },
  };
  return { docker: docker as unknown as Docker, images, imports };
}

describe('ensurePauseImage', () => {
  it('imports the tar for the given architecture as PAUSE_IMAGE, with CMD /pause; concurrent calls share the one import', async () => {
    const f = fakeDocker(() => ['{"status":"sha256:abc"}']);
    await Promise.all([ensurePauseImage(f.docker, 'x64'), ensurePauseImage(f.docker, 'x64'), ensurePauseImage(f.docker, 'x64')]);
    assert.equal(f.imports.length, 1);
    const [{ options, body }] = f.imports as [(typeof f.imports)[0]];
    assert.equal(`${options.repo}:${options.tag}`, PAUSE_IMAGE);
    assert.ok((options.changes as string[]).includes('CMD ["/pause"]'));
    assert.deepEqual(body, pauseImageTar('x64'));
    assert.ok(f.images.has(PAUSE_IMAGE));

    await ensurePauseImage(f.docker, 'x64');
    assert.equal(f.imports.length, 1, 'present: not imported again');
  });

  it('rejects with Docker\'s message when the import stream reports an error, and tries again on the next call', async () => {
    let fail = true;
    const f = fakeDocker(() => (fail ? ['{"errorDetail":{"message":"no space left on device"},"error":"no space left on device"}'] : ['{"status":"sha256:abc"}']));
    await assert.rejects(ensurePauseImage(f.docker, 'x64'), new RegExp(`${PAUSE_IMAGE}: no space left on device`));
    fail = false;
    await ensurePauseImage(f.docker, 'x64');
    assert.equal(f.imports.length, 2);
    assert.ok(f.images.has(PAUSE_IMAGE));
  });

  it('rejects for an unsupported architecture without calling import', async () => {
    const f = fakeDocker(() => ['{"status":"sha256:abc"}']);
    await assert.rejects(ensurePauseImage(f.docker, 'ppc64'), /architecture "ppc64"/);
    assert.equal(f.imports.length, 0);
  });
});
