import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

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

/** Constant-time comparison of a stored hash with the hash of a presented secret. */
export function hashesMatch(storedHex: string, presentedHex: string): boolean {
  const stored = Buffer.from(storedHex, "hex");
  const presented = Buffer.from(presentedHex, "hex");
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}
