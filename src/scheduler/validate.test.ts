import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateConstraints, validatePlacement, validateStrategy } from './validate.ts';

describe('validatePlacement', () => {
  it('accepts what ECS accepts, including its documented examples', () => {
    assert.equal(validatePlacement(undefined, undefined), undefined);
    assert.equal(validatePlacement([], []), undefined);
    assert.equal(
      validatePlacement(
        [{ type: 'distinctInstance' }, { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t2.*' }, { type: 'memberOf', expression: 'task:group == databases' }],
        [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'spread', field: 'instanceId' }, { type: 'spread', field: 'host' }, { type: 'binpack', field: 'memory' }, { type: 'random' }],
      ),
      undefined,
    );
    assert.equal(validateStrategy([{ type: 'binpack', field: 'CPU' }, { type: 'binpack', field: 'MEMORY' }]), undefined, 'ECS reads binpack fields back in upper case');
  });

  it('limits constraints to 10 (task definition ones included) and strategies to 5', () => {
    const eleven = Array.from({ length: 11 }, () => ({ type: 'distinctInstance' }));
    assert.equal(validateConstraints(eleven.slice(0, 10)), undefined);
    assert.equal(validateConstraints(eleven), 'placementConstraints can have at most 10 constraints, those of the task definition included. Received: 11.');
    const six = Array.from({ length: 6 }, () => ({ type: 'random' }));
    assert.equal(validateStrategy(six.slice(0, 5)), undefined);
    assert.equal(validateStrategy(six), 'placementStrategy can have at most 5 strategy rules. Received: 6.');
  });

  it('checks constraint types and their expressions, naming the member', () => {
    assert.equal(validateConstraints([{ type: 'distinctInstance' }, {}]), 'placementConstraints[1].type can not be null or empty.');
    assert.equal(validateConstraints([{ type: 'sameInstance' }]), 'placementConstraints[0].type must be one of: distinctInstance, memberOf. Received: sameInstance.');
    assert.equal(validateConstraints([{ type: 'distinctInstance', expression: '' }]), "placementConstraints[0].expression: an expression can't be specified for a distinctInstance constraint.");
    assert.equal(validateConstraints([{ type: 'memberOf' }]), 'placementConstraints[0].expression is required for a memberOf constraint.');
    assert.equal(validateConstraints([{ type: 'memberOf', expression: '  ' }]), 'placementConstraints[0].expression is required for a memberOf constraint.');
    assert.equal(validateConstraints([{ type: 'memberOf', expression: `attribute:a == ${'x'.repeat(2000)}` }]), 'placementConstraints[0].expression must be at most 2000 characters long.');
  });

  it('rejects a memberOf expression with a syntax error, saying where', () => {
    const message = validateConstraints([{ type: 'memberOf', expression: 'attribute:ecs.instance-type == t2.micro' }, { type: 'memberOf', expression: 'attribute:stack == prod and (' }]);
    assert.match(message ?? '', /^placementConstraints\[1\]\.expression: Invalid expression at position \d+: /);
  });

  it('checks strategy types and fields, naming the member', () => {
    assert.equal(validateStrategy([{ field: 'memory' }]), 'placementStrategy[0].type can not be null or empty.');
    assert.equal(validateStrategy([{ type: 'pack' }]), 'placementStrategy[0].type must be one of: binpack, spread, random. Received: pack.');
    assert.equal(validateStrategy([{ type: 'binpack' }]), 'placementStrategy[0].field is required for a binpack strategy: cpu or memory.');
    assert.equal(validateStrategy([{ type: 'binpack', field: 'disk' }]), 'placementStrategy[0].field must be cpu or memory for a binpack strategy. Received: disk.');
    assert.equal(validateStrategy([{ type: 'binpack', field: 'instanceId' }]), 'placementStrategy[0].field must be cpu or memory for a binpack strategy. Received: instanceId.');
    assert.equal(validateStrategy([{ type: 'spread', field: '' }]), 'placementStrategy[0].field is required for a spread strategy: instanceId, host or attribute:<name>.');
    assert.equal(validateStrategy([{ type: 'spread', field: 'memory' }]), 'placementStrategy[0].field must be instanceId, host or attribute:<name> for a spread strategy. Received: memory.');
    assert.equal(validateStrategy([{ type: 'spread', field: 'attribute:' }]), 'placementStrategy[0].field must be instanceId, host or attribute:<name> for a spread strategy. Received: attribute:.');
    assert.equal(validateStrategy([{ type: 'random', field: '' }]), "placementStrategy[0].field can't be specified for a random strategy. Received: .");
    assert.equal(validateStrategy([{ type: 'spread', field: `attribute:${'a'.repeat(255)}` }]), 'placementStrategy[0].field must be at most 255 characters long.');
  });

  it('reports constraints before strategies, and lets the caller choose the path', () => {
    assert.match(validatePlacement([{ type: 'x' }], [{ type: 'y' }]) ?? '', /^placementConstraints\[0\]/);
    assert.match(validateConstraints([{ type: 'x' }], 'taskDefinition.placementConstraints') ?? '', /^taskDefinition\.placementConstraints\[0\]\.type/);
  });
});
