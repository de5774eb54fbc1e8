import {
  type ASTNode,
  type DocumentNode,
  type GraphQLArgument,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type Source,
  TypeInfo,
  type ValueNode,
  coerceInputValue,
  isInputObjectType,
  isInputType,
  isNonNullType,
  parse,
  typeFromAST,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/**
 * Input errors of the GraphQL layer in the API's vocabulary: `BAD_USER_INPUT` with
 * `extensions.field` (a path into the arguments, such as `input.participants` or
 * `input.rows[2].amount`) and `extensions.reason`, for values written in the document (literals)
 * and sent as variables alike. Used by RequestGate for every transport.
 */

/** graphql-js's "Did you mean …?" hints, which reveal schema names. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** The message without "Did you mean …?" hints. */
export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

/**
 * Integers beyond 2^53 quoted by a scalar's message: JSON numbers that large have lost digits
 * before the server sees them, so the number quoted is not the one the client sent.
 */
const INEXACT_NUMBER = /(-?\d{16,}(?:\.\d+)?(?:e\+?\d+)?)\s*$/i;

function reasonOf(message: string, suggestions: boolean): string {
  let reason = suggestions ? message : withoutSuggestions(message);
  // "Expected value of type "Huf", found "1,000"; Huf must be …": the scalar's own words.
  const semicolon = /^Expected value of type "[^"]+", found .*?; (.+)$/s.exec(reason);
  if (semicolon) reason = semicolon[1];
  const inexact = INEXACT_NUMBER.exec(reason);
  if (inexact && !Number.isSafeInteger(Number(inexact[1]))) {
    reason = `${reason.slice(0, inexact.index).trimEnd()} a number beyond 2^53, which JSON cannot carry exactly`;
  }
  return reason.replace(/\.$/, '');
}

/** The field an error about an object names: a missing or unknown field is one level down. */
function fieldOf(path: string, message: string): string {
  // Literals name a missing field "Type.field"; variables and unknown fields name it "field".
  const named = /^Field "(?:[^".]+\.)?([^"]+)" (?:of required type "[^"]+" was not provided|is not defined by type)/.exec(message);
  if (!named) return path;
  const inner = named[1];
  // graphql-js names the missing field by its own name; the unknown one is already the path's end.
  return path.endsWith(`.${inner}`) || path === inner ? path : `${path}.${inner}`;
}

/** A BAD_USER_INPUT error about `field`, keeping the document locations of `nodes`. */
export function badInput(field: string, reason: string, nodes?: GraphQLError['nodes']): GraphQLError {
  return new GraphQLError(`Invalid ${field}: ${reason}`, {
    nodes: nodes ?? undefined,
    extensions: { code: 'BAD_USER_INPUT', field, reason, http: { status: 400 } },
  });
}

/** The path of every value node inside arguments (and variable defaults) of a document. */
function valuePaths(document: DocumentNode): Map<ASTNode, string> {
  const paths = new Map<ASTNode, string>();
  const value = (node: ValueNode, path: string) => {
    paths.set(node, path);
    if (node.kind === Kind.OBJECT) {
      for (const field of node.fields) {
        paths.set(field, `${path}.${field.name.value}`);
        value(field.value, `${path}.${field.name.value}`);
      }
    } else if (node.kind === Kind.LIST) {
      node.values.forEach((item, index) => value(item, `${path}[${index}]`));
    }
  };
  const selections = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        // A missing required argument is reported on its field: name the argument.
        paths.set(selection, '');
        for (const argument of selection.arguments ?? []) {
          paths.set(argument, argument.name.value);
          value(argument.value, argument.name.value);
        }
        selections(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        selections(selection.selectionSet);
      }
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      for (const variable of definition.variableDefinitions ?? []) {
        if (variable.defaultValue) value(variable.defaultValue, variable.variable.name.value);
      }
      selections(definition.selectionSet);
    } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      selections(definition.selectionSet);
    }
  }
  return paths;
}

/** graphql-js 16 (ProvidedRequiredArgumentsRule): `Field "f" argument "a" of type "T!" is required, but it was not provided.` */
const MISSING_ARGUMENT = /argument "([^"]+)" of type "[^"]+" is required, but it was not provided\.$/;

/**
 * Rewrites the validation errors that are about argument values (a literal of the wrong type,
 * a missing or unknown input field, an unknown enum value, a missing required argument, a
 * scalar's own refusal) into BAD_USER_INPUT errors naming the field and the reason. Other
 * validation errors are returned as they are. Walks the document only when there are errors.
 */
export function valueErrorsAsBadInput(document: DocumentNode, errors: readonly GraphQLError[], suggestions: boolean): GraphQLError[] {
  if (errors.length === 0) return [];
  const paths = valuePaths(document);
  return errors.map((error) => {
    const node = error.nodes?.[0];
    const path = node ? paths.get(node) : undefined;
    if (path === undefined) return error;
    if (path === '') {
      const missing = MISSING_ARGUMENT.exec(error.message);
      return missing ? badInput(missing[1], 'required, but not provided', error.nodes) : error;
    }
    return badInput(fieldOf(path, error.message), reasonOf(error.message, suggestions), error.nodes);
  });
}

/**
 * Where each variable of an operation is first used: the path from the argument it is passed to
 * (`filter` for `events(filter: $f)`, `input.reports[0]` for `recordReports(input: { reports: [$row] })`),
 * through the fragments of `document`. A variable used nowhere keeps its own name.
 */
function variableUses(operation: OperationDefinitionNode, document: DocumentNode | undefined): Map<string, string> {
  const uses = new Map<string, string>();
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document?.definitions ?? []) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition.selectionSet);
  const value = (node: ValueNode, path: string) => {
    if (node.kind === Kind.VARIABLE) {
      if (!uses.has(node.name.value)) uses.set(node.name.value, path);
    } else if (node.kind === Kind.OBJECT) {
      for (const field of node.fields) value(field.value, `${path}.${field.name.value}`);
    } else if (node.kind === Kind.LIST) {
      node.values.forEach((item, index) => value(item, `${path}[${index}]`));
    }
  };
  const seen = new Set<string>();
  const selections = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        for (const argument of selection.arguments ?? []) value(argument.value, argument.name.value);
        selections(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        selections(selection.selectionSet);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        selections(fragments.get(selection.name.value));
      }
    }
  };
  selections(operation.selectionSet);
  return uses;
}

/**
 * Coerces an operation's variables as execution will (graphql-js's coerceInputValue), reporting
 * every problem as a BAD_USER_INPUT error with the path of the value from the argument the
 * variable is passed to (`filter.recordedFrom` for `$f` of `events(filter: $f)`), as a literal
 * in its place is named (README, "Errors"); fragments are followed when `document` is given. The
 * values are never quoted: the client has them, and a JSON number beyond 2^53 would be quoted as
 * a different number.
 */
export function variableErrors(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  inputs: Readonly<Record<string, unknown>> | undefined,
  suggestions: boolean,
  document?: DocumentNode,
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const values = inputs ?? {};
  const uses = variableUses(operation, document);
  for (const definition of operation.variableDefinitions ?? []) {
    const name = uses.get(definition.variable.name.value) ?? definition.variable.name.value;
    const type = typeFromAST(schema, definition.type as never);
    if (!type || !isInputType(type)) continue; // a validation error already
    const nodes = [definition];
    const variable = definition.variable.name.value;
    if (!Object.prototype.hasOwnProperty.call(values, variable) || values[variable] === undefined) {
      if (!definition.defaultValue && isNonNullType(type)) errors.push(badInput(name, 'required, but not provided', nodes));
      continue;
    }
    const value = values[variable];
    if (value === null && isNonNullType(type)) {
      errors.push(badInput(name, 'must not be null', nodes));
      continue;
    }
    coerceInputValue(value, type, (path, _invalid, error) => {
      const at = path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('');
      errors.push(badInput(fieldOf(`${name}${at}`, error.message), reasonOf(error.message, suggestions), nodes));
    });
  }
  return errors;
}

/** The first name of a path: `input` of `input.rows[2].amount`, `ranges` of `ranges[0].to`. */
function headOf(path: string): string {
  return /^[^.[]*/.exec(path)![0];
}

/**
 * The one rule for `extensions.field` (README, "Errors"): a path from the operation's argument —
 * `input.participants`, `at.position`, `filter.occurredFrom` — and for a scalar argument its name
 * (`asOf`, `first`). Deciders and services name a field of the input they were given
 * (`participants`), not knowing the argument that carried it: such a name gets the name of the
 * one input-object argument of `args` that has that field. A name that already starts with an
 * argument's name is a path already and is kept, as is one that no argument holds (a value the
 * caller did not send, such as the agency of a credential). A list argument's element is only
 * named with its index (`ranges[0].to`), which the thrower knows and this does not.
 */
export function argumentPath(field: string, args: readonly GraphQLArgument[]): string {
  const head = headOf(field);
  if (args.some((argument) => argument.name === head)) return field;
  const holders = args.filter((argument) => {
    const type = isNonNullType(argument.type) ? argument.type.ofType : argument.type;
    return isInputObjectType(type) && Object.prototype.hasOwnProperty.call(type.getFields(), head);
  });
  return holders.length === 1 ? `${holders[0].name}.${field}` : field;
}

/** Per schema and document text: the arguments of each field of the document, by the field's offset in the text. */
const argumentsBySource = new WeakMap<GraphQLSchema, WeakMap<Source, Map<number, readonly GraphQLArgument[]>>>();

/**
 * The argument definitions of the field an execution error was raised on (its first node), or
 * undefined for an error that is not about a field of a located document (validation, variables).
 * The document is read again from the error's source (once per text: clients send the same few)
 * to know the field's parent type through aliases and fragments; only errors naming a field do so.
 */
export function argumentsOfErrorField(schema: GraphQLSchema, error: GraphQLError): readonly GraphQLArgument[] | undefined {
  const node = error.nodes?.[0];
  const source = error.source;
  if (!node || node.kind !== Kind.FIELD || !node.loc || !source || !error.path) return undefined;
  let bySource = argumentsBySource.get(schema);
  if (!bySource) argumentsBySource.set(schema, (bySource = new WeakMap()));
  let byOffset = bySource.get(source);
  if (!byOffset) {
    const fields = new Map<number, readonly GraphQLArgument[]>();
    const typeInfo = new TypeInfo(schema);
    visit(
      parse(source),
      visitWithTypeInfo(typeInfo, {
        Field(field) {
          const definition = typeInfo.getFieldDef();
          if (definition && field.loc) fields.set(field.loc.start, definition.args);
        },
      }),
    );
    bySource.set(source, (byOffset = fields));
  }
  return byOffset.get(node.loc.start);
}
