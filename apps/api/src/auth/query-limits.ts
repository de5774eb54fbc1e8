import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  getNamedType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { DEFAULT_LIST_SIZE } from './security-config.js';

/**
 * Static analysis of an operation before it runs: how deep it nests, what it may cost, how many
 * aliases it uses. Introspection fields (`__schema`, `__type`, `__typename`) are not counted:
 * introspection is switched on or off as a whole.
 *
 * Cost model: a field with a selection set (an object or a list of objects) costs 1 plus the
 * cost of its selection, times the expected list size when it returns a list; a leaf field
 * costs nothing. The list size is the field's `first`/`last`/`limit`/`take`/`pageSize`
 * argument (as sent, or the argument's default), else DEFAULT_LIST_SIZE. Nested lists multiply.
 */
export interface OperationMetrics {
  readonly depth: number;
  readonly cost: number;
  readonly aliases: number;
}

export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxCost: number;
  readonly maxAliases: number;
}

const SIZE_ARGUMENTS = ['first', 'last', 'limit', 'take', 'pageSize'];

/** Refusal of an operation over a limit, before anything runs. */
export class QueryTooComplexError extends GraphQLError {
  constructor(message: string, limit: number) {
    super(message, { extensions: { code: 'QUERY_TOO_COMPLEX', limit, http: { status: 400 } } });
  }
}

interface Walk {
  readonly schema: GraphQLSchema;
  readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly operation: OperationDefinitionNode;
  readonly defaultListSize: number;
  aliases: number;
}

function numberOf(node: ValueNode, walk: Walk): number | undefined {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const name = node.name.value;
    const sent = walk.variables[name];
    if (typeof sent === 'number') return sent;
    const definition = walk.operation.variableDefinitions?.find((d) => d.variable.name.value === name);
    if (definition?.defaultValue) return numberOf(definition.defaultValue, walk);
  }
  return undefined;
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

function listSize(field: GraphQLField<unknown, unknown>, node: FieldNode, walk: Walk): number {
  for (const name of SIZE_ARGUMENTS) {
    const argument = node.arguments?.find((a) => a.name.value === name);
    const sent = argument ? numberOf(argument.value, walk) : undefined;
    if (sent !== undefined) return Math.max(0, sent);
    const fallback = field.args.find((a) => a.name === name)?.defaultValue;
    if (!argument && typeof fallback === 'number') return Math.max(0, fallback);
  }
  return walk.defaultListSize;
}

/** Cost and depth of a selection set whose fields are at `depth` + 1. */
function measure(
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType | undefined,
  depth: number,
  walk: Walk,
  fragmentPath: ReadonlySet<string>,
): { cost: number; depth: number } {
  let cost = 0;
  let deepest = depth;
  for (const selection of selectionSet.selections) {
    switch (selection.kind) {
      case Kind.FIELD: {
        const name = selection.name.value;
        if (name.startsWith('__')) break;
        if (selection.alias) walk.aliases += 1;
        const field =
          parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
        const fieldDepth = depth + 1;
        deepest = Math.max(deepest, fieldDepth);
        if (!selection.selectionSet) break;
        const inner = measure(selection.selectionSet, field ? getNamedType(field.type) : undefined, fieldDepth, walk, fragmentPath);
        deepest = Math.max(deepest, inner.depth);
        const multiplier = field && isList(field.type) ? listSize(field, selection, walk) : 1;
        cost += multiplier * (1 + inner.cost);
        break;
      }
      case Kind.INLINE_FRAGMENT: {
        const type = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
        const inner = measure(selection.selectionSet, type ?? undefined, depth, walk, fragmentPath);
        cost += inner.cost;
        deepest = Math.max(deepest, inner.depth);
        break;
      }
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        const fragment = walk.fragments[name];
        // A cycle is a validation error already; never loop on one.
        if (!fragment || fragmentPath.has(name)) break;
        const type = walk.schema.getType(fragment.typeCondition.name.value) ?? undefined;
        const inner = measure(fragment.selectionSet, type, depth, walk, new Set([...fragmentPath, name]));
        cost += inner.cost;
        deepest = Math.max(deepest, inner.depth);
        break;
      }
    }
  }
  return { cost, depth: deepest };
}

/** Depth, cost and alias count of one operation of a validated document. */
export function analyzeOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>> = {},
  defaultListSize = DEFAULT_LIST_SIZE,
): OperationMetrics {
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  const walk: Walk = { schema, fragments, variables, operation, defaultListSize, aliases: 0 };
  const { cost, depth } = measure(operation.selectionSet, root ?? undefined, 0, walk, new Set());
  return { depth, cost, aliases: walk.aliases };
}

/** Throws QueryTooComplexError for the first limit the operation exceeds. */
export function assertWithinLimits(metrics: OperationMetrics, limits: QueryLimits): void {
  if (metrics.depth > limits.maxDepth) {
    throw new QueryTooComplexError(`Query depth ${metrics.depth} exceeds the limit of ${limits.maxDepth}`, limits.maxDepth);
  }
  if (metrics.aliases > limits.maxAliases) {
    throw new QueryTooComplexError(
      `Query uses ${metrics.aliases} aliases, more than the limit of ${limits.maxAliases}`,
      limits.maxAliases,
    );
  }
  if (metrics.cost > limits.maxCost) {
    throw new QueryTooComplexError(
      `Query cost ${metrics.cost} exceeds the limit of ${limits.maxCost} (lists multiply: ask for fewer items or fewer nested lists)`,
      limits.maxCost,
    );
  }
}

/** The fragments of a document by name. */
export function fragmentsOf(definitions: readonly { kind: string }[]): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      const fragment = definition as FragmentDefinitionNode;
      fragments[fragment.name.value] = fragment;
    }
  }
  return fragments;
}
