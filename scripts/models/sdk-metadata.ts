/**
 * Reads a client's service metadata from its runtime configuration: the protocol class it
 * builds (`AwsJson1_1Protocol`, `AwsQueryProtocol`, ...), the protocol settings (JSON target
 * prefix, XML namespace, API version, awsQueryCompatible), the service id, and the SigV4 signing
 * name from its auth scheme provider.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProtocolName, ServiceMetadata } from '../../src/aws/model/types.ts';

const PROTOCOLS: Record<string, ProtocolName> = {
  AwsJson1_0Protocol: 'awsJson1_0',
  AwsJson1_1Protocol: 'awsJson1_1',
  AwsQueryProtocol: 'awsQuery',
  AwsEc2QueryProtocol: 'ec2Query',
  AwsRestJsonProtocol: 'restJson1',
  AwsRestXmlProtocol: 'restXml',
};

function match(text: string, pattern: RegExp, what: string, file: string): string {
  const found = pattern.exec(text);
  if (!found?.[1]) throw new Error(`${file}: no ${what}`);
  return found[1];
}

/** The metadata of the client package in `packageDir`. */
export function readSdkMetadata(packageDir: string, xmlNamespace?: string): ServiceMetadata {
  const configFile = join(packageDir, 'dist-es', 'runtimeConfig.shared.js');
  const config = readFileSync(configFile, 'utf8');
  const protocolClass = match(config, /protocol:\s*config\?\.protocol\s*\?\?\s*(\w+)/, 'protocol', configFile);
  const protocol = PROTOCOLS[protocolClass];
  if (!protocol) throw new Error(`${configFile}: protocol ${protocolClass} is not one Wharf serves`);
  const authFile = join(packageDir, 'dist-es', 'auth', 'httpAuthSchemeProvider.js');
  const auth = readFileSync(authFile, 'utf8');
  const metadata: ServiceMetadata = {
    serviceId: match(config, /serviceId:\s*config\?\.serviceId\s*\?\?\s*"([^"]+)"/, 'serviceId', configFile),
    apiVersion: match(config, /apiVersion:\s*"([^"]+)"/, 'apiVersion', configFile),
    protocol,
    signingName: match(auth, /signingProperties:\s*\{\s*name:\s*"([^"]+)"/, 'signing name', authFile),
  };
  if (protocol === 'awsJson1_0' || protocol === 'awsJson1_1') {
    metadata.targetPrefix = match(config, /serviceTarget:\s*"([^"]+)"/, 'serviceTarget', configFile);
  }
  const queryCompatible = /awsQueryCompatible:\s*true/.test(config);
  // An awsQueryCompatible service is also served in awsQuery (older clients, the AWS CLI v2): it needs the namespace too.
  if (protocol === 'awsQuery' || protocol === 'ec2Query' || protocol === 'restXml' || queryCompatible) {
    // A client without one (SQS's JSON client) leaves it to the service's source (`xmlNamespace` there).
    metadata.xmlNamespace = xmlNamespace ?? match(config, /xmlNamespace:\s*"([^"]+)"/, 'xmlNamespace', configFile);
  }
  if (queryCompatible) metadata.awsQueryCompatible = true;
  return metadata;
}
