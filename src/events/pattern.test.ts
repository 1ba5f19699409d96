/**
 * The event-pattern language against the examples of AWS's EventBridge guide ("Content
 * filtering in Amazon EventBridge event patterns", "Creating event patterns"), as a table:
 * pattern, event, whether it matches; and the patterns AWS refuses, with its reasons.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePattern } from './pattern.ts';
import { matchesPattern } from './pattern-match.ts';

/** The guide's sample event: an EC2 instance state change. */
const ec2 = {
  version: '0', id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718', 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2',
  account: '111122223333', time: '2017-12-22T18:43:48Z', region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated', 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.123', FileName: 'image.PNG', location: null },
};

const cases: [string, object, unknown, boolean][] = [
  ['exact string', { source: ['aws.ec2'] }, ec2, true],
  ['exact string, other value', { source: ['aws.s3'] }, ec2, false],
  ['array is any-of', { source: ['aws.s3', 'aws.ec2'] }, ec2, true],
  ['fields are all-of', { source: ['aws.ec2'], 'detail-type': ['nope'] }, ec2, false],
  ['nested fields', { detail: { state: ['terminated'] } }, ec2, true],
  ['nested, missing', { detail: { missing: ['x'] } }, ec2, false],
  ['exact number', { detail: { 'c-count': [5] } }, ec2, true],
  ['exact number is numeric: 5.0 is 5', { detail: { 'c-count': [5.0] } }, ec2, true],
  ['a number does not equal its string', { detail: { 'c-count': ['5'] } }, ec2, false],
  ['null matches null', { detail: { location: [null] } }, ec2, true],
  ['null does not match an absent field', { detail: { nothing: [null] } }, ec2, false],
  ['empty string', { detail: { name: [''] } }, { detail: { name: '' } }, true],
  ['prefix', { time: [{ prefix: '2017-12-22' }] }, ec2, true],
  ['prefix, no', { time: [{ prefix: '2018' }] }, ec2, false],
  ['prefix ignoring case', { detail: { state: [{ prefix: { 'equals-ignore-case': 'TERM' } }] } }, ec2, true],
  ['suffix', { detail: { FileName: [{ suffix: '.PNG' }] } }, ec2, true],
  ['suffix is case-sensitive', { detail: { FileName: [{ suffix: '.png' }] } }, ec2, false],
  ['suffix ignoring case', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, ec2, true],
  ['equals-ignore-case', { detail: { state: [{ 'equals-ignore-case': 'TERMINATED' }] } }, ec2, true],
  ['anything-but a string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2, true],
  ['anything-but the value', { detail: { state: [{ 'anything-but': 'terminated' }] } }, ec2, false],
  ['anything-but a number', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, ec2, true],
  ['anything-but a list', { detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, ec2, false],
  ['anything-but a number list', { detail: { 'c-count': [{ 'anything-but': [100, 200, 300] }] } }, ec2, true],
  ['anything-but does not match an absent field', { detail: { nothing: [{ 'anything-but': 'x' }] } }, ec2, false],
  ['anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, ec2, true],
  ['anything-but prefix, matching it', { detail: { state: [{ 'anything-but': { prefix: 'term' } }] } }, ec2, false],
  ['anything-but suffix', { detail: { FileName: [{ 'anything-but': { suffix: '.PNG' } }] } }, ec2, false],
  ['anything-but suffix list', { detail: { FileName: [{ 'anything-but': { suffix: ['.txt', '.jpg'] } }] } }, ec2, true],
  ['anything-but equals-ignore-case', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['TERMINATED'] } }] } }, ec2, false],
  ['anything-but wildcard', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/lib/x' }, false],
  ['anything-but wildcard, outside', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/bin/x' }, true],
  ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, ec2, true],
  ['numeric range, outside', { detail: { 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, ec2, true],
  ['numeric, upper bound open', { detail: { 'c-count': [{ numeric: ['>', 0, '<', 5] }] } }, ec2, false],
  ['numeric on a string', { detail: { state: [{ numeric: ['>', 0] }] } }, ec2, false],
  ['exists true', { detail: { state: [{ exists: true }] } }, ec2, true],
  ['exists false', { detail: { state: [{ exists: false }] } }, ec2, false],
  ['exists false, absent', { detail: { 'no-such-field': [{ exists: false }] } }, ec2, true],
  ['exists false, absent parent', { nothing: { here: [{ exists: false }] } }, ec2, true],
  ['exists only on leaves', { detail: [{ exists: true }] }, ec2, false],
  ['exists true on null', { detail: { location: [{ exists: true }] } }, ec2, true],
  ['wildcard', { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] }, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' }, true],
  ['wildcard, other region', { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] }, { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/default' }, false],
  ['wildcard with an escaped star', { name: [{ wildcard: 'a\\*b' }] }, { name: 'a*b' }, true],
  ['wildcard with an escaped star, literal', { name: [{ wildcard: 'a\\*b' }] }, { name: 'axxb' }, false],
  ['cidr', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, ec2, true],
  ['cidr, outside', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, ec2, false],
  ['cidr v6', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8::1' }, true],
  ['$or', { $or: [{ detail: { 'c-count': [{ numeric: ['>', 10] }] } }, { detail: { 'd-count': [{ numeric: ['<', 5] }] } }] }, ec2, true],
  ['$or, neither', { $or: [{ detail: { 'c-count': [1] } }, { detail: { 'd-count': [1] } }] }, ec2, false],
  ['$or with other fields', { source: ['aws.s3'], $or: [{ detail: { 'c-count': [5] } }, { detail: { 'd-count': [3] } }] }, ec2, false],
  ['$or nested in a field', { detail: { $or: [{ state: ['terminated'] }, { state: ['running'] }] } }, ec2, true],
  ['array in the event: any element', { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] }, ec2, true],
  ['array in the event and the pattern', { numbers: [3, 7] }, { numbers: [1, 2, 3] }, true],
  ['array in the event, none', { numbers: [4, 7] }, { numbers: [1, 2, 3] }, false],
  ['objects in an array', { a: { b: ['x'] } }, { a: [{ b: 'y' }, { b: 'x' }] }, true],
  ['objects in an array are matched element by element', { a: { b: ['x'], c: ['y'] } }, { a: [{ b: 'x' }, { c: 'y' }] }, false],
  ['an empty array in the event has no values', { list: [{ exists: true }] }, { list: [] }, false],
  ['several conditions, one holds', { detail: { state: ['running', { prefix: 'term' }] } }, ec2, true],
];

describe('event patterns: the guide\'s examples', () => {
  for (const [name, pattern, event, expected] of cases) {
    it(`${name} → ${expected ? 'matches' : 'does not match'}`, () => {
      assert.equal(matchesPattern(parsePattern(JSON.stringify(pattern)), event), expected);
    });
  }
});

const invalid: [string, string][] = [
  ['[1]', 'Filter is not an object'],
  ['{"source": ', 'Filter is not valid JSON'],
  ['{}', 'Empty objects are not allowed'],
  ['{"source": "aws.ec2"}', '"source" must be an object or an array'],
  ['{"source": []}', 'Empty arrays are not allowed'],
  ['{"source": [["a"]]}', 'Match value must be String, number, true, false, or null'],
  ['{"source": [{"prefix": "a", "suffix": "b"}]}', 'Only one key allowed in match expression'],
  ['{"source": [{"contains": "a"}]}', 'Unrecognized match type contains'],
  ['{"source": [{"prefix": 1}]}', 'prefix match pattern must be a string'],
  ['{"source": [{"prefix": {"other": "a"}}]}', 'Unsupported prefix pattern: other'],
  ['{"source": [{"suffix": null}]}', 'suffix match pattern must be a string'],
  ['{"source": [{"equals-ignore-case": 5}]}', 'equals-ignore-case match pattern must be a string'],
  ['{"source": [{"exists": "yes"}]}', 'exists match pattern must be either true or false.'],
  ['{"source": [{"anything-but": null}]}', 'Value of anything-but must be an array or single string/number value.'],
  ['{"source": [{"anything-but": ["a", 1]}]}', 'Inside anything but list, either all values are number or string, mixed type is not supported'],
  ['{"source": [{"anything-but": [true]}]}', 'Inside anything but list, start|null|boolean is not supported.'],
  ['{"source": [{"anything-but": {"exists": true}}]}', 'Unsupported anything-but pattern: exists'],
  ['{"source": [{"anything-but": {"prefix": ""}}]}', 'Null prefix/suffix not allowed'],
  ['{"source": [{"anything-but": {"equals-ignore-case": [1]}}]}', 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'],
  ['{"n": [{"numeric": 5}]}', 'Value of numeric must be an array.'],
  ['{"n": [{"numeric": []}]}', 'Invalid member in numeric match: ]'],
  ['{"n": [{"numeric": ["!=", 5]}]}', 'Unrecognized numeric range operator: !='],
  ['{"n": [{"numeric": [">", "5"]}]}', 'Value of > must be numeric'],
  ['{"n": [{"numeric": ["=", 1, "<", 5]}]}', 'Too many elements in numeric expression'],
  ['{"n": [{"numeric": [">", 1, ">", 5]}]}', 'Bad numeric range operator: >'],
  ['{"n": [{"numeric": [">", 5, "<", 1]}]}', 'Bottom must be less than top'],
  ['{"n": [{"numeric": [">", 1, "<", 5, "<", 6]}]}', 'Too many terms in numeric range expression'],
  ['{"n": [{"numeric": [">", 6e9]}]}', 'Value must be between -5.0E9 and 5.0E9, inclusive'],
  ['{"ip": [{"cidr": "10.0.0.0/33"}]}', 'Nonstandard IP address: 10.0.0.0/33'],
  ['{"ip": [{"cidr": "bad"}]}', 'Nonstandard IP address: bad'],
  ['{"f": [{"wildcard": "a**b"}]}', 'Consecutive wildcard characters at pos 2'],
  ['{"$or": [{"a": ["x"]}]}', 'There must have at least 2 Objects in $or relationship.'],
  ['{"$or": [{"a": ["x"]}, "b"]}', 'Only JSON object is allowed in array of $or relationship.'],
];

describe('event patterns AWS refuses', () => {
  for (const [pattern, reason] of invalid) {
    it(`${pattern}: ${reason}`, () => {
      assert.throws(() => parsePattern(pattern), { name: 'PatternError', message: `Event pattern is not valid. Reason: ${reason}` });
    });
  }
});
