import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, type GraphQLSchema } from 'graphql';

let schema: GraphQLSchema | undefined;

/**
 * GitHub's published GraphQL schema, from @octokit/graphql-schema's schema.graphql. The package is ESM-only and
 * exports no path to the file, so its folder is found from the module it does export. The published SDL defines a
 * few enterprise fields twice (EnterpriseOwnerInfo.repositoryDeployKeySetting…), which graphql-js's SDL check
 * rejects; those are far from anything the bot reads, so that check alone is skipped.
 */
export function publishedSchema(): GraphQLSchema {
  const file = fileURLToPath(new URL('schema.graphql', import.meta.resolve('@octokit/graphql-schema')));
  schema ??= buildSchema(readFileSync(file, 'utf8'), { assumeValidSDL: true });
  return schema;
}
