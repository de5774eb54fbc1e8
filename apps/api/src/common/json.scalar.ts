import { Scalar, type CustomScalar } from '@nestjs/graphql';
import { GraphQLError, Kind, type ValueNode } from 'graphql';

function literal(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      throw new GraphQLError('JSONObject literals cannot use variables inside', { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

/** A JSON object, as stored in event data and metadata. */
@Scalar('JSONObject')
export class JsonObjectScalar implements CustomScalar<unknown, Record<string, unknown>> {
  description = 'A JSON object (event data, metadata, report details).';

  parseValue(value: unknown): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new GraphQLError('must be a JSON object', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return value as Record<string, unknown>;
  }

  serialize(value: unknown): Record<string, unknown> {
    return value as Record<string, unknown>;
  }

  parseLiteral(ast: ValueNode): Record<string, unknown> {
    if (ast.kind !== Kind.OBJECT) throw new GraphQLError('must be a JSON object', { extensions: { code: 'BAD_USER_INPUT' } });
    return literal(ast) as Record<string, unknown>;
  }
}
