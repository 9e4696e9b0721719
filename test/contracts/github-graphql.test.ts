import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildSchema,
  execute,
  isEnumType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  parse,
  validate,
  type GraphQLField,
  type GraphQLNamedType,
} from 'graphql';
import { headsQuery, snapshotsQuery } from '../../src/github/repo-queries.ts';
import { SCHEMA_SLICE } from '../fakes/github/fake-graphql.ts';
import { readRecordedCase, RECORDED_CASES } from '../fakes/github/recorded-checks.ts';
import { publishedSchema } from './published-schema.ts';

/** The bot's GraphQL, the fake's schema and the recorded answers, each held to GitHub's published schema. */
describe('GraphQL against GitHub published schema', () => {
  it("the bot's query documents are valid against it (heads and snapshots, several repos and folders)", () => {
    for (const query of [headsQuery(1), headsQuery(3), snapshotsQuery(1, 1), snapshotsQuery(3, 4)]) {
      assert.deepEqual(validate(publishedSchema(), parse(query)).map((e) => e.message), [], query);
    }
  });

  it('it has what the bot reads of a check suite: its app, and the path of its workflow run file', () => {
    const suite = publishedSchema().getType('CheckSuite');
    assert.ok(isObjectType(suite));
    assert.equal(String(suite.getFields().workflowRun?.type), 'WorkflowRun', 'nullable: a suite no workflow made has none');
    const run = publishedSchema().getType('WorkflowRun');
    assert.ok(isObjectType(run));
    assert.equal(String(run.getFields().file?.type), 'WorkflowRunFile', 'nullable too: the reader treats a missing file as unknown');
    const file = publishedSchema().getType('WorkflowRunFile');
    assert.ok(isObjectType(file));
    assert.equal(String(file.getFields().path?.type), 'String!');
  });

  it("the fake's schema slice agrees with it: every type, field, argument and enum value, with the same types and nullability", () => {
    const slice = buildSchema(SCHEMA_SLICE);
    const published = publishedSchema();
    const problems: string[] = [];
    const own = Object.values(slice.getTypeMap()).filter((t) => !t.name.startsWith('__') && !['String', 'Int', 'Boolean', 'ID', 'Float'].includes(t.name));
    for (const type of own) {
      const real = published.getType(type.name);
      if (!real) problems.push(`${type.name}: not in the published schema`);
      else if (kind(real) !== kind(type)) problems.push(`${type.name}: a ${kind(type)} here, a ${kind(real)} there`);
      else if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(real) || isInterfaceType(real))) {
        for (const iface of type.getInterfaces()) if (!real.getInterfaces().some((i) => i.name === iface.name)) problems.push(`${type.name}: does not implement ${iface.name}`);
        for (const field of Object.values(type.getFields())) problems.push(...compareField(type.name, field, real.getFields()[field.name]));
      } else if (isEnumType(type) && isEnumType(real)) {
        const values = new Set(real.getValues().map((v) => v.name));
        for (const value of type.getValues()) if (!values.has(value.name)) problems.push(`${type.name}.${value.name}: no such value`);
      }
    }
    assert.deepEqual(problems, []);
  });

  for (const name of RECORDED_CASES) {
    it(`the recorded answer of ${name} is a valid result of the snapshot query under it`, () => {
      const recorded = readRecordedCase(name).snapshot.data.r0;
      const result = execute({
        schema: publishedSchema(),
        document: parse(snapshotsQuery(1, 1)),
        rootValue: { r0: recorded },
        variableValues: { o0: 'ada-lovelace', n0: 'rust-course', d0: 'HEAD:.github/workflows' },
        // A recorded answer is keyed by alias (`d0`, not `object`) and carries no __typename: a tree has entries.
        fieldResolver: (source, _args, _context, info) => (source as Record<string, unknown>)[String(info.path.key)],
        typeResolver: (value) => ('entries' in (value as object) ? 'Tree' : 'Commit'),
      }) as { data?: unknown; errors?: unknown[] };
      assert.deepEqual(result.errors ?? [], []);
      assert.deepEqual(JSON.parse(JSON.stringify(result.data)), { r0: recorded }, 'every field recorded is one the query asks for, with a value of its type');
    });
  }
});

function kind(type: GraphQLNamedType): string {
  if (isObjectType(type)) return 'type';
  if (isInterfaceType(type)) return 'interface';
  if (isEnumType(type)) return 'enum';
  if (isScalarType(type)) return 'scalar';
  return 'other';
}

// Types are compared as printed (`[TreeEntry!]`, `String!`): same named type, same list and non-null wrapping.
function compareField(owner: string, field: GraphQLField<unknown, unknown>, real: GraphQLField<unknown, unknown> | undefined): string[] {
  if (!real) return [`${owner}.${field.name}: no such field`];
  const problems = String(field.type) === String(real.type) ? [] : [`${owner}.${field.name}: ${String(field.type)} here, ${String(real.type)} there`];
  for (const arg of field.args) {
    const realArg = real.args.find((a) => a.name === arg.name);
    if (!realArg) problems.push(`${owner}.${field.name}(${arg.name}): no such argument`);
    else if (String(arg.type) !== String(realArg.type)) problems.push(`${owner}.${field.name}(${arg.name}): ${String(arg.type)} here, ${String(realArg.type)} there`);
  }
  return problems;
}
