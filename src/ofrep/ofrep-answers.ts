import { createHash } from "node:crypto";
import { Reason, ValueSource, type EvaluatedValue } from "../evaluation/evaluate-user";
import { isJsonObject } from "../shared/json";

/**
 * The OpenFeature Remote Evaluation Protocol's shapes (OFREP 0.3, open-feature/protocol
 * service/openapi.yaml), made from `evaluate`'s answer. Pure: the endpoint (ofrep-endpoint.ts) reads the
 * request, calls the evaluation service and sends what these make.
 */

export type OfrepErrorCode =
  "PARSE_ERROR" | "TARGETING_KEY_MISSING" | "INVALID_CONTEXT" | "FLAG_NOT_FOUND" | "GENERAL";

export interface FlagSuccess {
  key: string;
  value: unknown;
  reason: Reason;
  variant: string;
  metadata: Record<string, string>;
}

export interface OfrepFailure {
  errorCode: OfrepErrorCode;
  errorDetails: string;
}

/**
 * One key's answer: the value and why (Reason, decided by the evaluation core); the variant's name for
 * an A/B test, else where the value came from; the experience's id in the metadata.
 */
export function flagAnswer(value: EvaluatedValue, variantOfTest: ReadonlyMap<string, string>): FlagSuccess {
  const variant =
    value.source === ValueSource.AB_TEST && value.experienceId
      ? (variantOfTest.get(value.experienceId) ?? value.source)
      : value.source;
  return {
    key: value.key,
    value: value.value,
    reason: value.reason,
    variant,
    metadata: value.experienceId
      ? { source: value.source, experienceId: value.experienceId }
      : { source: value.source },
  };
}

/**
 * Each flag's JSON, kept per configuration (`scope`: an object that lives exactly as long as the
 * configuration the answers came from, e.g. the ruleset): a key's flag is fully decided by the
 * experience that served it and the variant, so the bulk answer of a returning user is mostly
 * concatenation instead of serializing ~300 values each time.
 */
const flagJsonByScope = new WeakMap<object, Map<string, string>>();

/** The bulk answer's `flags` array as JSON: the same text as JSON.stringify of the flagAnswers. */
export function flagsJson(
  values: readonly EvaluatedValue[],
  variantOfTest: ReadonlyMap<string, string>,
  scope: object,
): string {
  let cache = flagJsonByScope.get(scope);
  if (!cache) flagJsonByScope.set(scope, (cache = new Map()));
  const parts: string[] = [];
  for (const value of values) {
    const variant = value.experienceId ? (variantOfTest.get(value.experienceId) ?? "") : "";
    const id = `${value.key}\u0000${value.experienceId ?? ""}\u0000${variant}`;
    let json = cache.get(id);
    if (json === undefined) cache.set(id, (json = JSON.stringify(flagAnswer(value, variantOfTest))));
    parts.push(json);
  }
  return `[${parts.join(",")}]`;
}

/** A context larger than this (serialized) is refused: the properties of one evaluation, not a profile dump. */
export const MAX_CONTEXT_BYTES = 64 * 1024;

export type ContextRead =
  { ok: true; userId: string; properties: Record<string, unknown> } | ({ ok: false } & OfrepFailure);

/** The request body `{ "context": { "targetingKey": <user id>, ...properties } }`, or why not. */
export function readContext(body: unknown): ContextRead {
  const context = isJsonObject(body) ? body.context : undefined;
  if (!isJsonObject(context)) {
    return {
      ok: false,
      errorCode: "INVALID_CONTEXT",
      errorDetails:
        'The body is {"context": {"targetingKey": "<user id>", ...}}: context must be a JSON object',
    };
  }
  const { targetingKey, ...properties } = context;
  if (targetingKey === undefined || targetingKey === null || targetingKey === "") {
    return {
      ok: false,
      errorCode: "TARGETING_KEY_MISSING",
      errorDetails: "context.targetingKey (the user id) is missing",
    };
  }
  if (typeof targetingKey !== "string") {
    return { ok: false, errorCode: "INVALID_CONTEXT", errorDetails: "context.targetingKey must be a string" };
  }
  if (Buffer.byteLength(JSON.stringify(context)) > MAX_CONTEXT_BYTES) {
    return {
      ok: false,
      errorCode: "INVALID_CONTEXT",
      errorDetails: `The context is larger than ${MAX_CONTEXT_BYTES / 1024} KiB serialized`,
    };
  }
  return { ok: true, userId: targetingKey, properties };
}

/** A strong entity tag over a response body: equal answers, equal tags. */
export function entityTag(body: string): string {
  return `"${createHash("sha1").update(body).digest("base64url")}"`;
}

/** Whether an If-None-Match header names this tag (a list, weak tags and * included). */
export function tagMatches(ifNoneMatch: string | undefined, tag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(",")
    .map((candidate) => candidate.trim().replace(/^W\//, ""))
    .some((candidate) => candidate === "*" || candidate === tag);
}
