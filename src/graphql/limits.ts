import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLError,
  getNamedType,
  getVariableValues,
  isCompositeType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  visit,
} from "graphql";
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity";
import { MAX_PAGE_SIZE } from "./connection";

/**
 * What one request may ask for. Every refusal is a top-level error whose code names the limit and
 * whose extensions carry the limit and the request's value; docs/SECURITY.md lists them.
 */
export const LIMITS = {
  /** Fields nested in one operation. GraphiQL's introspection query is 15 deep. */
  maxDepth: 15,
  /** Cost points per operation, counted as Shopify does (see `costEstimator`). */
  maxCost: 1000,
  /** Aliased fields per operation: aliases are how one request multiplies its work. */
  maxAliases: 30,
  /**
   * Items in any list argument or variable. Above every business limit (1,000 events, 500 IN
   * values), which come back as userErrors; this only stops absurd lists before any work is done.
   */
  maxListItems: 2000,
  /** Nesting of lists and objects in arguments and variables, JSON values included. */
  maxInputDepth: 32,
  /** Lexical tokens in a document: bounds parsing and validation before any other check runs. */
  maxTokens: 20_000,
} as const;

function refuse(code: string, message: string, limit: number, actual: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code, limit, actual, http: { status: 400 } } });
}

/** What a document's operation costs to check, computed once per document (Apollo reuses them). */
interface Analysis {
  depth: number;
  aliases: number;
  literals: InputShape;
  /** Variables whose values change the cost (those given to `first`). */
  costVariables: string[];
  /** Cost by the values of `costVariables`. */
  costs: Map<string, number>;
}

const MAX_COSTS_PER_DOCUMENT = 32;

/** Checks an operation's depth, aliases, list sizes and cost once it is parsed and valid, before it runs. */
export function limitsPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  const analyses = new WeakMap<OperationDefinitionNode, Analysis>();
  const analyse = (document: DocumentNode, operation: OperationDefinitionNode): Analysis => {
    let analysis = analyses.get(operation);
    if (!analysis) {
      const fragments = fragmentsOf(document);
      const depth = depthOf(operation.selectionSet, fragments, new Set(), 0);
      analysis = {
        depth,
        // Depth is bounded first, so counting aliases recursively is safe.
        aliases: depth > LIMITS.maxDepth ? 0 : aliasesOf(operation.selectionSet, fragments, new Set()),
        literals: shapeOfLiterals(document),
        costVariables: variablesGivenTo("first", document),
        costs: new Map(),
      };
      analyses.set(operation, analysis);
    }
    return analysis;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          if (!operation) return;
          const analysis = analyse(document, operation);
          if (analysis.depth > LIMITS.maxDepth) {
            throw refuse("QUERY_TOO_DEEP", `The query is ${analysis.depth} levels deep; at most ${LIMITS.maxDepth} are allowed`, LIMITS.maxDepth, analysis.depth);
          }
          if (analysis.aliases > LIMITS.maxAliases) {
            throw refuse("TOO_MANY_ALIASES", `The query uses ${analysis.aliases} aliases; at most ${LIMITS.maxAliases} are allowed`, LIMITS.maxAliases, analysis.aliases);
          }
          const variables = request.variables ?? {};
          const inputs = combine(shapeOfValue(variables), analysis.literals);
          if (inputs.depth > LIMITS.maxInputDepth) {
            throw refuse("INPUT_TOO_DEEP", `An argument is nested ${inputs.depth} levels deep; at most ${LIMITS.maxInputDepth} are allowed`, LIMITS.maxInputDepth, inputs.depth);
          }
          if (inputs.longestList > LIMITS.maxListItems) {
            throw refuse("LIST_TOO_LONG", `A list argument has ${inputs.longestList} items; at most ${LIMITS.maxListItems} are allowed`, LIMITS.maxListItems, inputs.longestList);
          }
          const costKey = JSON.stringify(analysis.costVariables.map((name) => variables[name]));
          let cost = analysis.costs.get(costKey);
          if (cost === undefined) {
            // Variables that do not coerce fail execution before any work, with BAD_USER_INPUT: no cost to count.
            if (getVariableValues(schema, operation.variableDefinitions ?? [], variables).errors) return;
            cost = getComplexity({
              schema,
              query: { kind: Kind.DOCUMENT, definitions: [operation, ...fragmentsOf(document).values()] },
              variables,
              estimators: [costEstimator(operation)],
            });
            if (analysis.costs.size < MAX_COSTS_PER_DOCUMENT) analysis.costs.set(costKey, cost);
          }
          if (cost > LIMITS.maxCost) {
            throw refuse("QUERY_TOO_COMPLEX", `The query costs ${cost} points; at most ${LIMITS.maxCost} are allowed`, LIMITS.maxCost, cost);
          }
        },
      };
    },
  };
}

/** Names of the variables passed to arguments called `name` anywhere in the document. */
function variablesGivenTo(name: string, document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Argument(node) {
      if (node.name.value === name && node.value.kind === Kind.VARIABLE) names.add(node.value.name.value);
    },
  });
  return [...names].sort();
}

/**
 * Objects that are part of their parent's row (a segment's rule tree) or of the response's frame:
 * reading them costs nothing beyond the parent, so they cost 0 points, like scalars.
 */
const EMBEDDED_TYPES = new Set(["SegmentRule", "SegmentCondition", "PropertyCondition", "EventCondition", "PageInfo", "UserError"]);

/**
 * Shopify's cost model: a mutation costs 10, an object 1, a scalar or enum 0, and a connection
 * 2 plus `first` (default 50) times what one of its items costs.
 */
function costEstimator(operation: OperationDefinitionNode): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    const named = getNamedType(field.type);
    if (type.name === "Mutation" && operation.operation === "mutation") return 10 + childComplexity;
    if (named.name.endsWith("Connection")) {
      const first = typeof args.first === "number" ? Math.min(args.first, MAX_PAGE_SIZE) : 50;
      return 2 + first * childComplexity;
    }
    if (EMBEDDED_TYPES.has(named.name)) return childComplexity;
    return isCompositeType(named) ? 1 + childComplexity : 0;
  };
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/**
 * Deepest chain of fields, through fragments (a fragment cycle is a validation error already).
 * It stops one level past the limit, so a hostile document cannot make it recurse further.
 */
function depthOf(
  selections: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  visiting: Set<string>,
  above: number,
): number {
  if (above > LIMITS.maxDepth) return 0;
  let deepest = 0;
  for (const selection of selections.selections) {
    if (selection.kind === Kind.FIELD) {
      deepest = Math.max(deepest, 1 + (selection.selectionSet ? depthOf(selection.selectionSet, fragments, visiting, above + 1) : 0));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, visiting, above));
    } else {
      const fragment = fragments.get(selection.name.value);
      if (!fragment || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      deepest = Math.max(deepest, depthOf(fragment.selectionSet, fragments, visiting, above));
      visiting.delete(fragment.name.value);
    }
  }
  return deepest;
}

/** Aliased fields, each fragment counted as often as it is spread. */
function aliasesOf(selections: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, visiting: Set<string>): number {
  let count = 0;
  for (const selection of selections.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) count++;
      if (selection.selectionSet) count += aliasesOf(selection.selectionSet, fragments, visiting);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += aliasesOf(selection.selectionSet, fragments, visiting);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (!fragment || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      count += aliasesOf(fragment.selectionSet, fragments, visiting);
      visiting.delete(fragment.name.value);
    }
  }
  return count;
}

interface InputShape {
  /** Deepest nesting of lists and objects. */
  depth: number;
  longestList: number;
}

function combine(a: InputShape, b: InputShape): InputShape {
  return { depth: Math.max(a.depth, b.depth), longestList: Math.max(a.longestList, b.longestList) };
}

/** The shape of the variables, walked with an explicit stack: hostile nesting cannot overflow ours. */
function shapeOfValue(root: unknown): InputShape {
  const shape: InputShape = { depth: 0, longestList: 0 };
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    shape.depth = Math.max(shape.depth, depth);
    if (shape.depth > LIMITS.maxInputDepth) break;
    const children = Array.isArray(value) ? value : Object.values(value);
    if (Array.isArray(value)) shape.longestList = Math.max(shape.longestList, value.length);
    for (const child of children) stack.push([child, depth + 1]);
  }
  return shape;
}

/** The shape of the list and object literals written into the document (graphql's visit is iterative). */
function shapeOfLiterals(document: DocumentNode): InputShape {
  const shape: InputShape = { depth: 0, longestList: 0 };
  let depth = 0;
  const enter = () => {
    depth++;
    shape.depth = Math.max(shape.depth, depth);
  };
  const leave = () => {
    depth--;
  };
  visit(document, {
    ListValue: {
      enter(node) {
        enter();
        shape.longestList = Math.max(shape.longestList, node.values.length);
      },
      leave,
    },
    ObjectValue: { enter, leave },
  });
  return shape;
}
