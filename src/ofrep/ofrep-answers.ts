import { createHash } from "node:crypto";
import { Reason, ValueSource, type EvaluatedValue } from "../evaluation/evaluate-user";
import { isJsonObject } from "../shared/json";
import { MAX_REQUEST_PROPERTIES_BYTES, propertiesProblem } from "../shared/properties";

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

/** A flag's JSON, whether it is all ASCII, and the first 64 bits of its SHA-1 as two 32-bit words. */
interface FlagText {
  json: string;
  ascii: boolean;
  high: number;
  low: number;
}

/**
 * Each flag's text, kept per configuration (`scope`: an object that lives exactly as long as the
 * configuration the answers came from, e.g. the ruleset): a key's flag is fully decided by the
 * experience that served it and the variant, so the bulk answer of a returning user is mostly
 * concatenation instead of serializing ~300 values each time.
 */
const flagTextByScope = new WeakMap<object, Map<string, FlagText>>();

export interface BulkFlags {
  /** A strong entity tag over the answer: equal answers, equal tags. */
  tag: string;
  /** The `flags` array as JSON: the same text as JSON.stringify of the flagAnswers. */
  json(): string;
  /** Whether that text is all ASCII, so its length is its length in bytes (sendJsonText). */
  ascii: boolean;
}

/**
 * The bulk answer's `flags`, and its tag made without reading the ~30 KB answer again: each flag's
 * digest is taken once per configuration, and the answer's tag mixes them in order (MurmurHash3's
 * 128-bit mixing steps, two lanes) with the count. Different answers differ in some flag's digest
 * at some place, so they share a tag by chance only (about one in 2^64), like two hashes of the text.
 */
export function bulkFlags(
  values: readonly EvaluatedValue[],
  variantOfTest: ReadonlyMap<string, string>,
  scope: object,
): BulkFlags {
  let cache = flagTextByScope.get(scope);
  if (!cache) flagTextByScope.set(scope, (cache = new Map()));
  const texts: FlagText[] = [];
  let h1 = 0x9747b28c;
  let h2 = values.length;
  let ascii = true;
  for (const value of values) {
    const variant = value.experienceId ? (variantOfTest.get(value.experienceId) ?? "") : "";
    const id = `${value.key}\u0000${value.experienceId ?? ""}\u0000${variant}`;
    let text = cache.get(id);
    if (text === undefined) cache.set(id, (text = flagText(flagAnswer(value, variantOfTest))));
    texts.push(text);
    ascii &&= text.ascii;
    h1 ^= Math.imul(rotl(Math.imul(text.high, C1), 15), C2);
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    h2 ^= Math.imul(rotl(Math.imul(text.low, C2), 16), C1);
    h2 = (Math.imul(rotl(h2, 17) + h1, 5) + 0x0bcaa747) | 0;
  }
  const tag = `"${hex(finalMix(h1 ^ values.length))}${hex(finalMix(h2 ^ h1))}"`;
  return { tag, json: () => `[${texts.map((text) => text.json).join(",")}]`, ascii };
}

function flagText(flag: FlagSuccess): FlagText {
  const json = JSON.stringify(flag);
  const digest = createHash("sha1").update(json).digest();
  return { json, ascii: ASCII.test(json), high: digest.readInt32BE(0), low: digest.readInt32BE(4) };
}

/** No character beyond U+007F. */
const ASCII = /^[^\u0080-\uffff]*$/;

const C1 = 0x239b961b;
const C2 = 0xab0e9789;

function rotl(x: number, bits: number): number {
  return (x << bits) | (x >>> (32 - bits));
}

/** MurmurHash3's finalizer: every input bit moves every output bit. */
function finalMix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function hex(word: number): string {
  return (word >>> 0).toString(16).padStart(8, "0");
}

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
  // The whole context is bounded (the properties of one evaluation, not a profile dump), as
  // evaluate bounds GraphQL's user.properties: the same rule, so both answer alike.
  const problem = propertiesProblem(context, MAX_REQUEST_PROPERTIES_BYTES);
  if (problem) return { ok: false, errorCode: "INVALID_CONTEXT", errorDetails: `The context ${problem}` };
  return { ok: true, userId: targetingKey, properties };
}

/**
 * Whether an If-None-Match header names this tag (a list, weak tags included). `*` is not a match:
 * OFREP's 304 says "the answer you hold is still current", and `*` holds no answer; RFC 9110 would
 * refuse a POST with it (412), which no SDK could act on, so the answer is sent as if it were absent.
 */
export function tagMatches(ifNoneMatch: string | undefined, tag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(",")
    .map((candidate) => candidate.trim().replace(/^W\//, ""))
    .some((candidate) => candidate === tag);
}
