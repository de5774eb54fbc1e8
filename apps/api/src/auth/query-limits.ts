import {
  type DocumentNode,
  type FieldNode,
  Lexer,
  Source,
  TokenKind,
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
 * aliases it uses, how many fields it expands to. Introspection fields (`__schema`, `__type`, `__typename`) are not counted:
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
  /** Fields of the operation once fragments are expanded (leaves included, lists not multiplied). */
  readonly size: number;
}

export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxCost: number;
  readonly maxAliases: number;
  /** Also the cap on the expanded size: fragments may not expand a document beyond it. */
  readonly maxTokens: number;
}

/**
 * Deepest nesting of brackets (`{`, `[`, `(`) a document may have. Checked on the tokens before
 * the parser runs: graphql-js parses recursively, and a literal nested a few thousand levels
 * deep would overflow the stack ("Maximum call stack size exceeded"). Far above any real
 * query (GRAPHQL_MAX_DEPTH is at most 100 fields). The same bound applies to JSON variables.
 */
export const MAX_NESTING = 128;

/** A count as the refusal quotes it: a fragment bomb's is astronomically large. */
function quoted(count: number): string {
  return Number.isSafeInteger(count) ? String(count) : 'over 2^53';
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
  /** Each fragment's own measures, computed at its first spread: a fragment is analysed once. */
  readonly measured: Map<string, Measures>;
  /** Fragments being analysed now: a spread of one of them is a cycle (a validation error already). */
  readonly inProgress: Set<string>;
}

/** Measures of a selection set, relative to the field that holds it. */
interface Measures {
  readonly cost: number;
  /** Levels of fields below. */
  readonly depth: number;
  readonly aliases: number;
  /** Fields once every fragment spread is expanded. */
  readonly size: number;
}

const NOTHING: Measures = { cost: 0, depth: 0, aliases: 0, size: 0 };

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

function plus(a: Measures, b: Measures): Measures {
  return { cost: a.cost + b.cost, depth: Math.max(a.depth, b.depth), aliases: a.aliases + b.aliases, size: a.size + b.size };
}

/**
 * Measures of a selection set. Linear in the document: a fragment's measures are computed once
 * and reused at every further spread, so a document whose fragments each spread the previous
 * one twice (2^k expanded fields in k fragments) is measured in k steps, its huge expanded cost
 * and size computed as numbers, not by walking them.
 */
function measure(selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined, walk: Walk): Measures {
  let total = NOTHING;
  for (const selection of selectionSet.selections) {
    switch (selection.kind) {
      case Kind.FIELD: {
        const name = selection.name.value;
        if (name.startsWith('__')) break;
        const aliases = selection.alias ? 1 : 0;
        const field = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
        if (!selection.selectionSet) {
          total = plus(total, { cost: 0, depth: 1, aliases, size: 1 });
          break;
        }
        const inner = measure(selection.selectionSet, field ? getNamedType(field.type) : undefined, walk);
        const multiplier = field && isList(field.type) ? listSize(field, selection, walk) : 1;
        total = plus(total, { cost: multiplier * (1 + inner.cost), depth: 1 + inner.depth, aliases: aliases + inner.aliases, size: 1 + inner.size });
        break;
      }
      case Kind.INLINE_FRAGMENT: {
        const type = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
        total = plus(total, measure(selection.selectionSet, type ?? undefined, walk));
        break;
      }
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        let inner = walk.measured.get(name);
        if (!inner) {
          const fragment = walk.fragments[name];
          if (!fragment || walk.inProgress.has(name)) break;
          walk.inProgress.add(name);
          inner = measure(fragment.selectionSet, walk.schema.getType(fragment.typeCondition.name.value) ?? undefined, walk);
          walk.inProgress.delete(name);
          walk.measured.set(name, inner);
        }
        total = plus(total, inner);
        break;
      }
    }
  }
  return total;
}

/**
 * Depth, cost, alias count and expanded size of one operation of a validated document. Time is
 * linear in the document's length, whatever its fragments expand to.
 */
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
  const walk: Walk = { schema, fragments, variables, operation, defaultListSize, measured: new Map(), inProgress: new Set() };
  const { cost, depth, aliases, size } = measure(operation.selectionSet, root ?? undefined, walk);
  return { depth, cost, aliases, size };
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
  if (metrics.size > limits.maxTokens) {
    throw new QueryTooComplexError(
      `Query expands to ${quoted(metrics.size)} fields through its fragments, more than the limit of ${limits.maxTokens}`,
      limits.maxTokens,
    );
  }
  if (metrics.cost > limits.maxCost) {
    throw new QueryTooComplexError(
      `Query cost ${quoted(metrics.cost)} exceeds the limit of ${limits.maxCost} (lists multiply: ask for fewer items or fewer nested lists)`,
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

/**
 * The most fields any operation of `document` expands to once its fragment spreads are
 * expanded, computed without a schema and in time linear in the document (each fragment counted
 * once, memoised). Checked before validation, because graphql-js's validation of a document
 * whose fragments spread each other many times is itself slow (about 1.7 s for 900 levels of
 * the doubling fragment bomb, within the token limit).
 */
export function expandedSize(document: DocumentNode): number {
  const fragments = fragmentsOf(document.definitions);
  const counted = new Map<string, number>();
  const inProgress = new Set<string>();
  const size = (set: SelectionSetNode): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) total += 1 + (selection.selectionSet ? size(selection.selectionSet) : 0);
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += size(selection.selectionSet);
      else {
        const name = selection.name.value;
        let inner = counted.get(name);
        if (inner === undefined) {
          const fragment = fragments[name];
          if (!fragment || inProgress.has(name)) continue;
          inProgress.add(name);
          inner = size(fragment.selectionSet);
          inProgress.delete(name);
          counted.set(name, inner);
        }
        total += inner;
      }
    }
    return total;
  };
  let largest = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) largest = Math.max(largest, size(definition.selectionSet));
  }
  return largest;
}

/** Throws QUERY_TOO_COMPLEX when an operation of the document expands to more fields than `maxTokens`. */
export function assertExpandedSize(document: DocumentNode, maxTokens: number): void {
  const size = expandedSize(document);
  if (size > maxTokens) {
    throw new QueryTooComplexError(`Query expands to ${quoted(size)} fields through its fragments, more than the limit of ${maxTokens}`, maxTokens);
  }
}

/**
 * Checks a document's text before it is parsed: at most `maxTokens` tokens and brackets nested at
 * most `maxNesting` deep. One pass of graphql-js's own lexer, no recursion, so any text is safe
 * to give it. A lexical error is left for the parser to report, with its position.
 */
export function assertDocumentText(source: string, limits: { readonly maxTokens: number; readonly maxNesting?: number }): void {
  const maxNesting = limits.maxNesting ?? MAX_NESTING;
  const lexer = new Lexer(new Source(source));
  let tokens = 0;
  let nesting = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      tokens += 1;
      if (tokens > limits.maxTokens) {
        throw new QueryTooComplexError(`Document has more than ${limits.maxTokens} tokens`, limits.maxTokens);
      }
      if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L) {
        nesting += 1;
        if (nesting > maxNesting) {
          throw new QueryTooComplexError(`Document nests brackets more than ${maxNesting} deep`, maxNesting);
        }
      } else if (token.kind === TokenKind.BRACE_R || token.kind === TokenKind.BRACKET_R || token.kind === TokenKind.PAREN_R) {
        nesting -= 1;
      }
    }
  } catch (error) {
    if (error instanceof QueryTooComplexError) throw error;
  }
}

/**
 * Checks that JSON variables nest at most `maxNesting` deep (objects and arrays), without
 * recursion: coercing a value recurses once per level.
 */
export function assertVariablesNesting(variables: unknown, maxNesting = MAX_NESTING): void {
  if (variables === null || typeof variables !== 'object') return;
  const stack: Array<{ value: unknown; depth: number }> = [{ value: variables, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    // The variables object itself is level 0: `{ input: { … } }` is one level deep.
    if (depth > maxNesting) throw new QueryTooComplexError(`Variables nest more than ${maxNesting} deep`, maxNesting);
    for (const child of Object.values(value)) if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1 });
  }
}
