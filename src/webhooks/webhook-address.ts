import { BlockList, isIP } from "node:net";

/**
 * Which addresses a webhook may not reach (docs/SECURITY.md): without this an ADMIN token could
 * make the server probe its own network (a cloud's metadata service at 169.254.169.254, a database
 * on localhost) and read the outcome in the delivery log. Checked on the URL at creation and on
 * every address a connection resolves to (a name may resolve elsewhere later: DNS rebinding).
 */
const REFUSED: { kind: string; ranges: [address: string, prefix: number, family: "ipv4" | "ipv6"][] }[] = [
  {
    kind: "unspecified",
    ranges: [
      ["0.0.0.0", 8, "ipv4"],
      ["::", 128, "ipv6"],
    ],
  },
  {
    kind: "loopback",
    ranges: [
      ["127.0.0.0", 8, "ipv4"],
      ["::1", 128, "ipv6"],
    ],
  },
  {
    kind: "private",
    ranges: [
      ["10.0.0.0", 8, "ipv4"],
      ["172.16.0.0", 12, "ipv4"],
      ["192.168.0.0", 16, "ipv4"],
      // Shared address space (carrier-grade NAT), reachable only inside a provider's network.
      ["100.64.0.0", 10, "ipv4"],
      // IETF protocol assignments, and the benchmarking range.
      ["192.0.0.0", 24, "ipv4"],
      ["198.18.0.0", 15, "ipv4"],
    ],
  },
  {
    kind: "link-local",
    ranges: [
      ["169.254.0.0", 16, "ipv4"],
      ["fe80::", 10, "ipv6"],
    ],
  },
  {
    kind: "unique-local",
    ranges: [
      ["fc00::", 7, "ipv6"],
      // Site-local, deprecated but still routed inside some networks.
      ["fec0::", 10, "ipv6"],
    ],
  },
  {
    kind: "multicast or reserved",
    ranges: [
      ["224.0.0.0", 4, "ipv4"],
      ["240.0.0.0", 4, "ipv4"],
      ["ff00::", 8, "ipv6"],
    ],
  },
];

const LISTS = REFUSED.map(({ kind, ranges }) => {
  const list = new BlockList();
  for (const [address, prefix, family] of ranges) list.addSubnet(address, prefix, family);
  return { kind, list };
});

/** IPv6 forms that carry an IPv4 address: mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d). */
const EMBEDDING_IPV4 = new BlockList();
EMBEDDING_IPV4.addSubnet("::ffff:0:0", 96, "ipv6");
EMBEDDING_IPV4.addSubnet("64:ff9b::", 96, "ipv6");

/** The IPv4 address in the last 32 bits of an IPv6 address. */
function embeddedIpv4(address: string): string {
  const groups = expandIpv6(address);
  const high = groups[6];
  const low = groups[7];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

/** The eight 16-bit groups of an IPv6 address (with or without an IPv4 tail). */
function expandIpv6(address: string): number[] {
  let text = address;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (tail) {
    const [a, b, c, d] = tail.split(".").map(Number);
    text = `${text.slice(0, -tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split("::");
  const parse = (part: string | undefined) =>
    part ? part.split(":").map((group) => parseInt(group, 16)) : [];
  const left = parse(head);
  const right = parse(rest);
  const zeros = rest === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

/**
 * Why a webhook may not connect to this IP address ("127.0.0.1 is a loopback address"), or null
 * when it may. Not an IP address at all: null (names are checked on what they resolve to).
 */
export function refusedAddress(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return null;
  const embedded = family === 6 && EMBEDDING_IPV4.check(address, "ipv6") ? embeddedIpv4(address) : null;
  const checked = embedded ?? address;
  const type = embedded || family === 4 ? "ipv4" : "ipv6";
  const refused = LISTS.find(({ list }) => list.check(checked, type));
  if (!refused) return null;
  const article = refused.kind === "unspecified" ? "an" : "a";
  return `${address} is ${article} ${refused.kind} address${embedded ? ` (it carries ${embedded})` : ""}`;
}

/** A URL's host as an address or name: IPv6 literals lose their brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/** How long a webhook's creation waits for its name to resolve before leaving it to the connections. */
const RESOLVE_AT_CREATION_MS = 3000;

/**
 * Why `text` cannot be a webhook's URL, or null. An http(s) URL without credentials (the signature
 * authenticates us; a password in a URL shows wherever the URL does), of at most 2,048 characters;
 * unless private networks are allowed, not an address a webhook may not reach, nor a name that
 * resolves to one. A name that does not resolve now is accepted: every connection checks again.
 */
export async function urlProblem(
  text: string,
  allowPrivateNetworks: boolean,
  resolve: (hostname: string) => Promise<{ address: string }[]>,
): Promise<string | null> {
  if (text.length > 2048) return "URL must be at most 2,048 characters";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "URL must be an absolute http or https URL, e.g. https://hooks.example.com/px";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return `URL must be http or https, not ${url.protocol.slice(0, -1)}`;
  if (url.username || url.password)
    return "URL must not hold a user name or password: receivers verify the signature instead";
  if (allowPrivateNetworks) return null;
  const host = hostOf(url);
  const allow = "(WEBHOOK_ALLOW_PRIVATE_NETWORKS=true allows it)";
  const literal = refusedAddress(host);
  if (literal) return `URL may not point at ${literal} ${allow}`;
  if (host === "localhost" || host.endsWith(".localhost"))
    return `URL may not point at ${host}, a loopback name ${allow}`;
  if (isIP(host)) return null;
  const addresses = await Promise.race([
    resolve(host).catch(() => []),
    new Promise<{ address: string }[]>((done) => setTimeout(() => done([]), RESOLVE_AT_CREATION_MS).unref()),
  ]);
  const refused = addresses.map(({ address }) => refusedAddress(address)).find(Boolean);
  return refused ? `URL's host ${host} resolves to ${refused} ${allow}` : null;
}
