import type { ApolloServerPlugin } from "@apollo/server";
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getVariableValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isCompositeType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  visit,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { MAX_EVENTS_PER_CALL } from "../tracking/tracking-rules";
import { listRequest, pageRequest, pageSizeOf } from "./connection";

/**
 * What one request may ask for. Every refusal is a top-level error whose code names the limit and
 * whose extensions carry the limit and the value reached when the check stopped (at least that
 * much); docs/SECURITY.md lists them. Nothing of the operation runs once a limit is exceeded.
 */
export const LIMITS = {
  /** Fields nested in one operation. GraphiQL's introspection query is 15 deep. */
  maxDepth: 15,
  /** Cost points per operation, counted as Shopify does (see `fieldCost`). */
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
  /** `evaluate` fields per operation: each reads one user's profile, events and assignments. */
  maxEvaluations: 10,
  /** Events per operation over all its `trackEvents` fields: as many as one call may send. */
  maxEvents: MAX_EVENTS_PER_CALL,
} as const;

function refuse(code: string, message: string, limit: number, actual: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code, limit, actual, http: { status: 400 } } });
}

/** What an operation asks for, summed over its fields; the walk stops as soon as one is over its limit. */
export interface Measure {
  depth: number;
  aliases: number;
  cost: number;
  evaluations: number;
  events: number;
}

const NOTHING: Measure = { depth: 0, aliases: 0, cost: 0, evaluations: 0, events: 0 };

/** What a document needs known once, whatever the variables. */
interface DocumentFacts {
  fragments: Map<string, FragmentDefinitionNode>;
  literals: InputShape;
  /** Variables whose values change the measure: page sizes, @skip/@include conditions, event lists. */
  measuredVariables: string[];
  /** Measures by the values of `measuredVariables` (a list counts by its length). */
  measures: Map<string, Measure>;
}

const MAX_MEASURES_PER_DOCUMENT = 32;

/**
 * Checks an operation once it is parsed and valid, before anything of it runs: the size and nesting
 * of its inputs, then depth, aliases, cost, page arguments and the evaluate / trackEvents budgets in
 * one walk. The walk measures each fragment once per type it applies to, so a document of fragments
 * that spread each other twice over (2^n fields when expanded) costs time linear in its length.
 */
export function limitsPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  const documents = new WeakMap<DocumentNode, DocumentFacts>();
  const factsOf = (document: DocumentNode): DocumentFacts => {
    let facts = documents.get(document);
    if (!facts) {
      facts = {
        fragments: fragmentsOf(document),
        literals: shapeOfLiterals(document),
        measuredVariables: measuredVariables(document),
        measures: new Map(),
      };
      documents.set(document, facts);
    }
    return facts;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          if (!operation) return;
          const facts = factsOf(document);
          const variables = request.variables ?? {};
          const maxInputDepth = LIMITS.maxInputDepth + wrappingDepthOf(operation);
          const inputs = combine(shapeOfValue(variables, maxInputDepth), facts.literals);
          if (inputs.depth > maxInputDepth) {
            throw refuse(
              "INPUT_TOO_DEEP",
              `An argument is nested ${inputs.depth} levels deep; at most ${maxInputDepth} are allowed`,
              maxInputDepth,
              inputs.depth,
            );
          }
          if (inputs.longestList > LIMITS.maxListItems) {
            throw refuse(
              "LIST_TOO_LONG",
              `A list argument has ${inputs.longestList} items; at most ${LIMITS.maxListItems} are allowed`,
              LIMITS.maxListItems,
              inputs.longestList,
            );
          }
          const key = JSON.stringify(facts.measuredVariables.map((name) => measuredValue(variables[name])));
          if (facts.measures.has(key)) return;
          // Variables that do not coerce fail execution before any field runs, with BAD_USER_INPUT.
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
          if (coerced.errors) return;
          const { measure } = measureOperation(schema, facts.fragments, operation, coerced.coerced);
          if (facts.measures.size < MAX_MEASURES_PER_DOCUMENT) facts.measures.set(key, measure);
        },
      };
    },
  };
}

/** The part of a variable's value that a measure depends on: a list by its length, anything else as is. */
function measuredValue(value: unknown): unknown {
  return Array.isArray(value) ? value.length : value;
}

/** Names of the variables given to `first`, `last`, `events` or a directive's `if`. */
function measuredVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Argument(node) {
      if (node.value.kind === Kind.VARIABLE && ["first", "last", "events", "if"].includes(node.name.value))
        names.add(node.value.name.value);
    },
  });
  return [...names].sort();
}

/**
 * Measures an operation with coerced variables, throwing the refusal of the first limit it passes.
 * `visited` counts the selections walked: the work done, linear in the document's length.
 */
export function measureOperation(
  schema: GraphQLSchema,
  fragments: Map<string, FragmentDefinitionNode>,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): { measure: Measure; visited: number } {
  const walk = new OperationWalk(schema, fragments, variables, operation);
  return { measure: walk.measure(), visited: walk.visited };
}

/**
 * Objects that are part of their parent's row (a segment's rule tree, a test's analysis and breach)
 * or computed with it (a result's intervals), or of the response's frame: reading them costs nothing
 * beyond the parent, so they cost 0 points, like scalars.
 */
const EMBEDDED_TYPES = new Set([
  "SegmentRule",
  "SegmentCondition",
  "PropertyCondition",
  "EventCondition",
  "AnalysisSettings",
  "GuardrailBreach",
  "Interval",
  "PageInfo",
  "UserError",
]);

class OperationWalk {
  visited = 0;
  /** Each fragment's measure per concrete type it was spread on: computed once. */
  private readonly fragmentMeasures = new Map<string, Measure>();
  private readonly visiting = new Set<string>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
    private readonly operation: OperationDefinitionNode,
  ) {}

  measure(): Measure {
    const root = this.schema.getRootType(this.operation.operation);
    return root ? this.selections(this.operation.selectionSet, root, 0) : NOTHING;
  }

  /**
   * The measure of a selection set on one concrete type (fields of other types' fragments do not
   * apply), `above` fields deep. Depths in a measure are relative to the set, so a fragment's measure
   * holds wherever it is spread; the check adds `above`.
   */
  private selections(set: SelectionSetNode, type: GraphQLObjectType, above: number): Measure {
    let total = NOTHING;
    for (const selection of set.selections) {
      this.visited++;
      if (!this.included(selection)) continue;
      let part: Measure;
      if (selection.kind === Kind.FIELD) {
        part = this.field(selection, type, above);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (selection.typeCondition && !this.appliesTo(selection.typeCondition.name.value, type)) continue;
        part = this.selections(selection.selectionSet, type, above);
      } else {
        const fragment = this.fragments.get(selection.name.value);
        if (!fragment || !this.appliesTo(fragment.typeCondition.name.value, type)) continue;
        part = this.fragment(fragment, type, above);
      }
      total = add(total, part);
      checkMeasure(total, above);
    }
    return total;
  }

  private fragment(fragment: FragmentDefinitionNode, type: GraphQLObjectType, above: number): Measure {
    const key = `${fragment.name.value} on ${type.name}`;
    const known = this.fragmentMeasures.get(key);
    if (known) return known;
    // A fragment cycle is a validation error already; this only keeps a bug from recursing forever.
    if (this.visiting.has(key)) return NOTHING;
    this.visiting.add(key);
    const measure = this.selections(fragment.selectionSet, type, above);
    this.visiting.delete(key);
    this.fragmentMeasures.set(key, measure);
    return measure;
  }

  private field(node: FieldNode, parent: GraphQLObjectType, above: number): Measure {
    // Refused where the chain passes the limit: a hostile nesting is not walked to its end.
    if (above + 1 > LIMITS.maxDepth) checkMeasure({ ...NOTHING, depth: 1 }, above);
    const definition = this.definitionOf(parent, node.name.value);
    if (!definition) return { ...NOTHING, depth: 1 };
    const args = getArgumentValues(definition, node, this.variables);
    if ("first" in args)
      checkPage(
        args,
        definition.args.some((arg) => arg.name === "orderBy"),
        node,
      );
    const children = node.selectionSet
      ? this.children(node.selectionSet, getNamedType(definition.type), above + 1)
      : NOTHING;
    return {
      depth: 1 + children.depth,
      aliases: (node.alias ? 1 : 0) + children.aliases,
      cost: this.fieldCost(parent, definition, args, children.cost),
      evaluations:
        children.evaluations +
        (parent === this.schema.getQueryType() && definition.name === "evaluate" ? 1 : 0),
      events:
        children.events +
        (parent === this.schema.getMutationType() && definition.name === "trackEvents"
          ? storedAtMost(args.events as unknown[])
          : 0),
    };
  }

  /** The field's definition, introspection's own fields (__typename, __schema, __type) included. */
  private definitionOf(parent: GraphQLObjectType, name: string): GraphQLField<unknown, unknown> | undefined {
    if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
    if (parent === this.schema.getQueryType() && name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (parent === this.schema.getQueryType() && name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
    return parent.getFields()[name];
  }

  /** Children of an object field on its type; of an interface field, the largest over the types it can be. */
  private children(set: SelectionSetNode, type: ReturnType<typeof getNamedType>, above: number): Measure {
    if (isObjectType(type)) return this.selections(set, type, above);
    if (!isAbstractType(type)) return NOTHING;
    return this.schema
      .getPossibleTypes(type)
      .map((possible) => this.selections(set, possible, above))
      .reduce(largest, NOTHING);
  }

  /**
   * Shopify's cost model: a mutation costs 10, an object 1, a scalar or enum 0, and a connection
   * 2 plus its page size (default 50) times what one of its items costs.
   */
  private fieldCost(
    parent: GraphQLObjectType,
    field: GraphQLField<unknown, unknown>,
    args: Record<string, unknown>,
    childCost: number,
  ): number {
    const named = getNamedType(field.type);
    if (parent === this.schema.getMutationType()) return 10 + childCost;
    if (named.name.endsWith("Connection")) {
      return 2 + pageSizeOf(args) * childCost;
    }
    if (EMBEDDED_TYPES.has(named.name)) return childCost;
    return isCompositeType(named) ? 1 + childCost : 0;
  }

  private included(node: { directives?: readonly DirectiveNode[] }): boolean {
    if (!node.directives?.length) return true;
    if (getDirectiveValues(GraphQLSkipDirective, node, this.variables)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, node, this.variables)?.if !== false;
  }

  private appliesTo(typeCondition: string, type: GraphQLObjectType): boolean {
    if (typeCondition === type.name) return true;
    const condition = this.schema.getType(typeCondition);
    return condition !== undefined && isAbstractType(condition) && this.schema.isSubType(condition, type);
  }
}

/**
 * Page sizes and cursors, by the same rules the resolvers apply (pageRequest, listRequest), checked here before any
 * field runs: one bad page refuses the whole operation (HTTP 400), pointing at its field.
 */
function checkPage(args: Record<string, unknown>, sortable: boolean, node: FieldNode): void {
  try {
    if (sortable) listRequest(args);
    else pageRequest(args);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    throw new GraphQLError(error.message, {
      nodes: node,
      extensions: { ...error.extensions, http: { status: 400 } },
    });
  }
}

/**
 * Events one trackEvents field can store: a call over the per-call limit is refused whole by the
 * business rule (INVALID, nothing stored), so it adds nothing to the request's budget.
 */
function storedAtMost(events: unknown[]): number {
  return events.length <= MAX_EVENTS_PER_CALL ? events.length : 0;
}

function add(a: Measure, b: Measure): Measure {
  return {
    depth: Math.max(a.depth, b.depth),
    aliases: a.aliases + b.aliases,
    cost: a.cost + b.cost,
    evaluations: a.evaluations + b.evaluations,
    events: a.events + b.events,
  };
}

function largest(a: Measure, b: Measure): Measure {
  return {
    depth: Math.max(a.depth, b.depth),
    aliases: Math.max(a.aliases, b.aliases),
    cost: Math.max(a.cost, b.cost),
    evaluations: Math.max(a.evaluations, b.evaluations),
    events: Math.max(a.events, b.events),
  };
}

/**
 * Refuses the operation at the first limit a measure of a selection set `above` fields deep passes;
 * called after every field, so the walk stops there. Every measure only grows towards the root.
 */
function checkMeasure(measure: Measure, above: number): void {
  const depth = above + measure.depth;
  if (depth > LIMITS.maxDepth) {
    throw refuse(
      "QUERY_TOO_DEEP",
      `The query is at least ${depth} levels deep; at most ${LIMITS.maxDepth} are allowed`,
      LIMITS.maxDepth,
      depth,
    );
  }
  if (measure.aliases > LIMITS.maxAliases) {
    throw refuse(
      "TOO_MANY_ALIASES",
      `The query uses ${measure.aliases} aliases; at most ${LIMITS.maxAliases} are allowed`,
      LIMITS.maxAliases,
      measure.aliases,
    );
  }
  if (measure.cost > LIMITS.maxCost) {
    throw refuse(
      "QUERY_TOO_COMPLEX",
      `The query costs at least ${measure.cost} points; at most ${LIMITS.maxCost} are allowed`,
      LIMITS.maxCost,
      measure.cost,
    );
  }
  if (measure.evaluations > LIMITS.maxEvaluations) {
    throw refuse(
      "TOO_MANY_EVALUATIONS",
      `The request evaluates ${measure.evaluations} users; at most ${LIMITS.maxEvaluations} are allowed`,
      LIMITS.maxEvaluations,
      measure.evaluations,
    );
  }
  if (measure.events > LIMITS.maxEvents) {
    throw refuse(
      "TOO_MANY_EVENTS",
      `The request sends ${measure.events} events; at most ${LIMITS.maxEvents} are allowed`,
      LIMITS.maxEvents,
      measure.events,
    );
  }
}

export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

interface InputShape {
  /** Deepest nesting of lists and objects. */
  depth: number;
  longestList: number;
}

function combine(a: InputShape, b: InputShape): InputShape {
  return { depth: Math.max(a.depth, b.depth), longestList: Math.max(a.longestList, b.longestList) };
}

/**
 * Levels a root field's arguments add around inputs that other mutations take at the top: a setup
 * document holds each create input one list and one entry down, so every value a create mutation
 * accepts still fits in the document that exports it (RULES.md: the export imports again).
 */
const WRAPPING_DEPTH: Readonly<Record<string, number>> = { importSetup: 2 };

function wrappingDepthOf(operation: OperationDefinitionNode): number {
  let extra = 0;
  for (const selection of operation.selectionSet.selections)
    if (selection.kind === Kind.FIELD) extra = Math.max(extra, WRAPPING_DEPTH[selection.name.value] ?? 0);
  return extra;
}

/**
 * The shape of the variables, walked with an explicit stack: hostile nesting cannot overflow ours;
 * the walk stops once past `maxDepth`.
 */
function shapeOfValue(root: unknown, maxDepth: number): InputShape {
  const shape: InputShape = { depth: 0, longestList: 0 };
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    shape.depth = Math.max(shape.depth, depth);
    if (shape.depth > maxDepth) break;
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
