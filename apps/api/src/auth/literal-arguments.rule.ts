import { type ASTVisitor, GraphQLError, Kind, type ValidationContext, type ValueNode, getNamedType, valueFromAST, visit } from 'graphql';
import { VALUE_ONLY_CHECKS } from '../common/query-arguments.js';

/** Whether a literal holds a variable anywhere: its value is known only when the operation runs. */
function holdsVariable(node: ValueNode): boolean {
  let found = false;
  visit(node, {
    Variable() {
      found = true;
    },
  });
  return found;
}

/** The value node at `path` below `node` (object fields by name), or `node` itself where the path ends. */
function nodeAt(node: ValueNode, path: readonly string[]): ValueNode {
  let current = node;
  for (const key of path) {
    if (current.kind !== Kind.OBJECT) break;
    const field = current.fields.find((f) => f.name.value === key);
    if (!field) break;
    current = field.value;
  }
  return current;
}

/**
 * A validation rule (RequestGate.validationRules, every transport): a subscription's literal
 * argument that can never be valid — `asOf: "2023-02-30"`, `year: -1`, `at: {}` on a field of the
 * update — is refused when the client subscribes, with the BAD_USER_INPUT (field, reason) the
 * field's resolver would answer with each update (the checks are the resolvers' own:
 * VALUE_ONLY_CHECKS). Queries and mutations are left to their resolvers, which answer such a value
 * as an error at that field beside the rest of the answer. Arguments holding variables are left
 * to the resolvers too, as are fragments (validated apart from their operation).
 */
export function LiteralArgumentsRule(context: ValidationContext): ASTVisitor {
  let subscription = false;
  return {
    OperationDefinition(node) {
      subscription = node.operation === 'subscription';
    },
    FragmentDefinition() {
      subscription = false;
    },
    Argument(node) {
      if (!subscription) return;
      const definition = context.getArgument();
      if (!definition) return;
      const typeName = getNamedType(definition.type).name;
      const rule = VALUE_ONLY_CHECKS.find((c) => c.argument === definition.name && c.type === typeName);
      if (!rule || holdsVariable(node.value)) return;
      // undefined: a literal of the wrong kind, which graphql-js's own rules report.
      const value: unknown = valueFromAST(node.value, definition.type);
      if (value === undefined || value === null) return;
      const refusal = rule.check(value);
      // The message is the reason: the gate makes it BAD_USER_INPUT naming the value's path (valueErrorsAsBadInput).
      if (refusal) context.reportError(new GraphQLError(refusal.reason, { nodes: [nodeAt(node.value, refusal.path)] }));
    },
  };
}
