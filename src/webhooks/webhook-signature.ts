import { createHmac, randomBytes } from "node:crypto";

/**
 * Signing as the Standard Webhooks specification says, so that its libraries (and a few lines of
 * any language) verify our requests unchanged: the secret is `whsec_` + base64 of random bytes,
 * and `webhook-signature` is `v1,` + base64 of HMAC-SHA256, keyed by those bytes, of
 * `<webhook-id>.<webhook-timestamp>.<body>`.
 */
const PREFIX = "whsec_";

/** 256 random bits, as the specification's `whsec_` form. */
export function newSigningSecret(): string {
  return `${PREFIX}${randomBytes(32).toString("base64")}`;
}

export function signatureOf(
  secret: string,
  messageId: string,
  timestampSeconds: number,
  body: string,
): string {
  const key = Buffer.from(secret.slice(PREFIX.length), "base64");
  const mac = createHmac("sha256", key).update(`${messageId}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${mac}`;
}
