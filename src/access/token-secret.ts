import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Token secrets are 256 random bits. Because they are random, not passwords, a plain SHA-256 is a
 * sound way to store them (a slow password hash would add latency to every request and no safety).
 */
export function newSecret(): string {
  return `px_${randomBytes(32).toString("base64url")}`;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** The secret of an `Authorization: Bearer <secret>` header, or undefined for any other header. */
export function bearerSecret(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
}

/** Constant-time comparison of a stored hash with the hash of a presented secret. */
export function hashesMatch(storedHex: string, presentedHex: string): boolean {
  const stored = Buffer.from(storedHex, "hex");
  const presented = Buffer.from(presentedHex, "hex");
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}

/**
 * A channel for a token's change stream, safe to put in a URL (a browser's EventSource cannot send
 * headers): the token's id and an HMAC keyed by the token's stored hash. Any server process can check
 * it from the token's row, revoking the token revokes it, and it does not reveal the secret.
 */
export function streamChannel(tokenId: string, secretHashHex: string): string {
  return `${tokenId}.${streamSignature(tokenId, secretHashHex)}`;
}

/** Whether a channel was made for this token by streamChannel (compared in constant time). */
export function channelMatches(channel: string, tokenId: string, secretHashHex: string): boolean {
  const expected = Buffer.from(streamChannel(tokenId, secretHashHex));
  const given = Buffer.from(channel);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function streamSignature(tokenId: string, secretHashHex: string): string {
  return createHmac("sha256", Buffer.from(secretHashHex, "hex"))
    .update(`ofrep-stream:${tokenId}`)
    .digest("base64url");
}
