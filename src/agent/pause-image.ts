/**
 * The pause image: the container that holds an awsvpc task's network namespace while the task's
 * own containers come and go (they join it with `container:<pause id>`). The agent makes it
 * itself, so a host with no registry and no compiler can still run awsvpc tasks: a static ELF
 * executable of a few hundred bytes that blocks forever, in a one-file tar archive, imported
 * into Docker.
 *
 * The executable installs no signal handlers, so as PID 1 it ignores SIGTERM: stop the pause
 * container with a timeout of 0 (or remove it with force), which sends SIGKILL at once.
 */
import { Readable } from 'node:stream';
import type Docker from 'dockerode';

/** The repository the pause image is imported as. */
const PAUSE_REPO = 'wharf/pause';
/** Bumped whenever the executable or the image settings change, so hosts import the new one. */
const PAUSE_TAG = '1';

/** The pause image's reference, for the pause container's `Image`. */
export const PAUSE_IMAGE = `${PAUSE_REPO}:${PAUSE_TAG}`;

/** The architectures a pause executable can be made for, in Node's names (`process.arch`). */
type PauseArch = 'x64' | 'arm64';

const LOAD_ADDRESS = 0x400000n;
const ELF_HEADER_SIZE = 64;
const PROGRAM_HEADER_SIZE = 56;
const PROGRAM_HEADERS = 2;
const CODE_OFFSET = ELF_HEADER_SIZE + PROGRAM_HEADERS * PROGRAM_HEADER_SIZE;

/** Per architecture: ELF machine, page alignment, and the loop that waits forever. */
const TARGETS: Record<PauseArch, { machine: number; align: bigint; code: () => Buffer }> = {
  x64: {
    machine: 62, // EM_X86_64
    align: 0x1000n,
    // loop: mov eax, 34 (pause) ; syscall ; jmp loop
    code: () => Buffer.from([0xb8, 0x22, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7]),
  },
  arm64: {
    machine: 183, // EM_AARCH64
    align: 0x10000n, // 64 KiB: loads on kernels with 4, 16 or 64 KiB pages
    code: () => words([
      0xd2800000, // loop: mov x0, #0    fds = NULL
      0xd2800001, //       mov x1, #0    nfds = 0
      0xd2800002, //       mov x2, #0    timeout = NULL (forever)
      0xd2800003, //       mov x3, #0    sigmask = NULL
      0xd2800928, //       mov x8, #73   ppoll
      0xd4000001, //       svc #0
      0x17fffffa, //       b loop
    ]),
  },
};

/**
 * The `/pause` executable for `arch`: a static ELF64 that loops on a blocking system call
 * (x86_64 `pause`, aarch64 `ppoll` with no descriptors and no timeout). Throws for any other
 * architecture, since no pause container could run there.
 */
export function pauseExecutable(arch: string): Buffer {
  const target = targetOf(arch);
  const code = target.code();
  const size = BigInt(CODE_OFFSET + code.length);
  const elf = Buffer.alloc(CODE_OFFSET);

  // ELF header
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2 /* 64-bit */, 1 /* little-endian */, 1 /* version */, 0 /* System V ABI */], 0);
  elf.writeUInt16LE(2, 16); // e_type: ET_EXEC
  elf.writeUInt16LE(target.machine, 18);
  elf.writeUInt32LE(1, 20); // e_version
  elf.writeBigUInt64LE(LOAD_ADDRESS + BigInt(CODE_OFFSET), 24); // e_entry
  elf.writeBigUInt64LE(BigInt(ELF_HEADER_SIZE), 32); // e_phoff
  elf.writeBigUInt64LE(0n, 40); // e_shoff: no section headers
  elf.writeUInt32LE(0, 48); // e_flags
  elf.writeUInt16LE(ELF_HEADER_SIZE, 52);
  elf.writeUInt16LE(PROGRAM_HEADER_SIZE, 54);
  elf.writeUInt16LE(PROGRAM_HEADERS, 56);
  elf.writeUInt16LE(64, 58); // e_shentsize
  elf.writeUInt16LE(0, 60); // e_shnum
  elf.writeUInt16LE(0, 62); // e_shstrndx

  // PT_LOAD: the whole file, read + execute, at LOAD_ADDRESS.
  let ph = ELF_HEADER_SIZE;
  elf.writeUInt32LE(1, ph); // p_type: PT_LOAD
  elf.writeUInt32LE(5, ph + 4); // p_flags: R | X
  elf.writeBigUInt64LE(0n, ph + 8); // p_offset
  elf.writeBigUInt64LE(LOAD_ADDRESS, ph + 16); // p_vaddr
  elf.writeBigUInt64LE(LOAD_ADDRESS, ph + 24); // p_paddr
  elf.writeBigUInt64LE(size, ph + 32); // p_filesz
  elf.writeBigUInt64LE(size, ph + 40); // p_memsz
  elf.writeBigUInt64LE(target.align, ph + 48);

  // PT_GNU_STACK: a stack that is not executable.
  ph += PROGRAM_HEADER_SIZE;
  elf.writeUInt32LE(0x6474e551, ph); // p_type: PT_GNU_STACK
  elf.writeUInt32LE(6, ph + 4); // p_flags: R | W
  elf.writeBigUInt64LE(16n, ph + 48); // p_align

  return Buffer.concat([elf, code]);
}

/**
 * The pause image's root file system for `arch`, as Docker's import takes it: a ustar archive
 * holding `/pause` (mode 0755, owned by root) and nothing else.
 */
export function pauseImageTar(arch: string): Buffer {
  return ustar([{ name: 'pause', mode: 0o755, data: pauseExecutable(arch) }]);
}

/** The progress line Docker's import stream ends with when it failed. */
interface ImportProgress {
  error?: string;
  errorDetail?: { message?: string };
}

const inFlight = new WeakMap<Docker, Promise<void>>();

/**
 * Makes sure the pause image exists in `docker`, importing it for `arch` (the host's by default)
 * when it is missing. Concurrent calls on one Docker share one import; a failed import is tried
 * again by the next call.
 */
export function ensurePauseImage(docker: Docker, arch: string = process.arch): Promise<void> {
  const running = inFlight.get(docker);
  if (running) return running;
  const work = ensure(docker, arch).finally(() => inFlight.delete(docker));
  inFlight.set(docker, work);
  return work;
}

async function ensure(docker: Docker, arch: string): Promise<void> {
  if (await imagePresent(docker)) return;
  const tar = pauseImageTar(arch);
  const stream = await docker.importImage(Readable.from([tar]), {
    repo: PAUSE_REPO,
    tag: PAUSE_TAG,
    changes: ['CMD ["/pause"]'],
  });
  const failure = (await readProgress(stream)).find((line) => line.error || line.errorDetail);
  if (failure) throw new Error(`importing ${PAUSE_IMAGE}: ${failure.errorDetail?.message ?? failure.error}`);
  if (!(await imagePresent(docker))) throw new Error(`importing ${PAUSE_IMAGE}: Docker reported success but has no such image`);
}

async function imagePresent(docker: Docker): Promise<boolean> {
  try {
    await docker.getImage(PAUSE_IMAGE).inspect();
    return true;
  } catch (err) {
    if (err && typeof err === 'object' && 'statusCode' in err && err.statusCode === 404) return false;
    throw err;
  }
}

/** Docker's JSON-lines progress stream, read to its end. */
async function readProgress(stream: NodeJS.ReadableStream): Promise<ImportProgress[]> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  const lines: ImportProgress[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    try {
      lines.push(JSON.parse(trimmed) as ImportProgress);
    } catch {
      lines.push({ error: trimmed });
    }
  }
  return lines;
}

function targetOf(arch: string): (typeof TARGETS)[PauseArch] {
  if (arch === 'x64' || arch === 'arm64') return TARGETS[arch];
  throw new Error(`no pause executable for architecture ${JSON.stringify(arch)}: awsvpc tasks need x64 or arm64`);
}

function words(values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeUInt32LE(v, i * 4));
  return out;
}

/** One regular file for `ustar`. */
interface TarFile {
  name: string;
  mode: number;
  data: Buffer;
}

const BLOCK = 512;

/**
 * A POSIX ustar archive of regular files owned by root, with mtime 0 so the same files always
 * make the same bytes; ends with the two zero blocks.
 */
function ustar(files: TarFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    if (!/^[A-Za-z0-9._-]{1,99}$/.test(file.name)) throw new Error(`tar entry name ${JSON.stringify(file.name)}`);
    const header = Buffer.alloc(BLOCK);
    header.write(file.name, 0, 'ascii');
    octal(header, 100, 8, file.mode);
    octal(header, 108, 8, 0); // uid
    octal(header, 116, 8, 0); // gid
    octal(header, 124, 12, file.data.length);
    octal(header, 136, 12, 0); // mtime
    header.fill(0x20, 148, 156); // checksum field counts as spaces while summing
    header.write('0', 156, 'ascii'); // typeflag: regular file
    header.write('ustar\0', 257, 'ascii');
    header.write('00', 263, 'ascii');
    header.write('root', 265, 'ascii'); // uname
    header.write('root', 297, 'ascii'); // gname
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    parts.push(header, file.data, Buffer.alloc((BLOCK - (file.data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** `value` in octal, zero-padded to fill `width` bytes with a NUL at the end. */
function octal(header: Buffer, offset: number, width: number, value: number): void {
  header.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, 'ascii');
}
