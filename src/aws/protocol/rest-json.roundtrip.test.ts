/**
 * The restJson1 codec against the real @aws-sdk/client-efs, on EFS's generated model: members
 * the SDK binds to the path, the query string and the body arrive as the command's input; the
 * output comes back as the handler returned it with the model's status (201, 204); a thrown
 * error arrives as the SDK's modeled exception, its `ErrorCode` and extra members included.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAccessPointCommand, CreateFileSystemCommand, DeleteAccessPointCommand, DescribeFileSystemsCommand, DescribeTagsCommand, EFSClient,
  FileSystemAlreadyExists, FileSystemNotFound, UntagResourceCommand, type FileSystemDescription,
} from '@aws-sdk/client-efs';
import { AwsError } from '../errors.ts';
import { efsModel } from '../models/efs.ts';
import { clientConfig, startCodecServer, type CodecServer, type DecodedCall } from './roundtrip.testing.ts';

let answer: (call: DecodedCall) => object = () => ({});
let server: CodecServer;
let efs: EFSClient;

before(async () => {
  server = await startCodecServer(efsModel, (call) => answer(call));
  efs = new EFSClient(clientConfig(server.url));
});

after(async () => {
  efs.destroy();
  await server.close();
});

const last = () => server.calls.at(-1);

const fileSystem: FileSystemDescription = {
  OwnerId: '123456789012', CreationToken: 'tok', FileSystemId: 'fs-0123456789abcdef0',
  FileSystemArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0',
  CreationTime: new Date('2026-12-03T06:50:01.5Z'), LifeCycleState: 'available', NumberOfMountTargets: 0,
  SizeInBytes: { Value: 6144, ValueInStandard: 6144, ValueInIA: 0 }, PerformanceMode: 'generalPurpose', ThroughputMode: 'bursting',
  Encrypted: true, Tags: [{ Key: 'Name', Value: 'data' }], Name: 'data',
};

describe('EFS through @aws-sdk/client-efs', () => {
  it('CreateFileSystem: body members in, 201 and the description out (timestamps as Dates)', async () => {
    answer = () => fileSystem;
    const out = await efs.send(new CreateFileSystemCommand({ CreationToken: 'tok', Encrypted: true, Tags: [{ Key: 'Name', Value: 'data' }], Backup: false }));
    assert.deepEqual(last(), { operation: 'CreateFileSystem', input: { CreationToken: 'tok', Encrypted: true, Backup: false, Tags: [{ Key: 'Name', Value: 'data' }] } });
    assert.equal(out.$metadata.httpStatusCode, 201);
    const { $metadata: _, ...shape } = out;
    assert.deepEqual(shape, fileSystem);
  });

  it('DescribeFileSystems: querystring members, an integer among them', async () => {
    answer = () => ({ FileSystems: [fileSystem], NextMarker: 'm2' });
    const out = await efs.send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-0123456789abcdef0', MaxItems: 5, Marker: 'a b/c' }));
    assert.deepEqual(last(), { operation: 'DescribeFileSystems', input: { MaxItems: 5, Marker: 'a b/c', FileSystemId: 'fs-0123456789abcdef0' } });
    assert.equal(out.NextMarker, 'm2');
    assert.deepEqual(out.FileSystems, [fileSystem]);
  });

  it('path labels: DELETE with 204 and no body; a list in the query string; the legacy tags path', async () => {
    answer = () => ({});
    const deleted = await efs.send(new DeleteAccessPointCommand({ AccessPointId: 'fsap-0123456789abcdef0' }));
    assert.deepEqual(last(), { operation: 'DeleteAccessPoint', input: { AccessPointId: 'fsap-0123456789abcdef0' } });
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    await efs.send(new UntagResourceCommand({ ResourceId: 'fs-0123456789abcdef0', TagKeys: ['a', 'b c'] }));
    assert.deepEqual(last(), { operation: 'UntagResource', input: { ResourceId: 'fs-0123456789abcdef0', TagKeys: ['a', 'b c'] } });
    answer = () => ({ Tags: [{ Key: 'k', Value: 'v' }], Marker: 'x' });
    const tags = await efs.send(new DescribeTagsCommand({ FileSystemId: 'fs-0123456789abcdef0', MaxItems: 1 }));
    assert.deepEqual(last(), { operation: 'DescribeTags', input: { MaxItems: 1, FileSystemId: 'fs-0123456789abcdef0' } });
    assert.deepEqual(tags.Tags, [{ Key: 'k', Value: 'v' }]);
  });

  it('nested structures in the body: CreateAccessPoint with a PosixUser and a RootDirectory', async () => {
    const input = {
      ClientToken: 'ct', FileSystemId: 'fs-0123456789abcdef0', PosixUser: { Uid: 1000, Gid: 1000, SecondaryGids: [4, 27] },
      RootDirectory: { Path: '/data', CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: '0755' } },
    };
    answer = (call) => ({ ...call.input, AccessPointId: 'fsap-0123456789abcdef0', LifeCycleState: 'available' });
    const out = await efs.send(new CreateAccessPointCommand(input));
    assert.deepEqual(last()!.input, input);
    assert.deepEqual(out.RootDirectory, input.RootDirectory);
    assert.deepEqual(out.PosixUser, input.PosixUser);
  });

  it('errors: the modeled exception by x-amzn-ErrorType, its ErrorCode, message and extra members', async () => {
    answer = () => {
      throw new AwsError('FileSystemNotFound', 'File system \'fs-1\' does not exist.', 400);
    };
    const missing = await efs.send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-1' })).then(() => assert.fail('succeeded'), (e: unknown) => e);
    assert.ok(missing instanceof FileSystemNotFound);
    assert.equal(missing.$metadata.httpStatusCode, 404, 'the model\'s status wins');
    assert.equal(missing.ErrorCode, 'FileSystemNotFound');
    assert.equal(missing.message, 'File system \'fs-1\' does not exist.');
    assert.equal(server.responses.at(-1)!.headers['x-amzn-ErrorType'], 'FileSystemNotFound');

    answer = () => {
      throw new AwsError('FileSystemAlreadyExists', 'File system already exists with creation token tok', 409, { FileSystemId: 'fs-0123456789abcdef0' });
    };
    const exists = await efs.send(new CreateFileSystemCommand({ CreationToken: 'tok' })).then(() => assert.fail('succeeded'), (e: unknown) => e);
    assert.ok(exists instanceof FileSystemAlreadyExists);
    assert.equal(exists.FileSystemId, 'fs-0123456789abcdef0');
    assert.equal(exists.$metadata.httpStatusCode, 409);
  });

  it('a member of the wrong type in the query string is a SerializationException naming it', async () => {
    const response = await fetch(`${server.url}/2015-02-01/file-systems?MaxItems=ten`);
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('x-amzn-errortype'), 'SerializationException');
    assert.match(((await response.json()) as { message: string }).message, /MaxItems must be an integer, not 'ten'/);
  });
});
