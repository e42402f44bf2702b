import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";
import { OpenFeature, ProviderEvents } from "@openfeature/web-sdk";

/**
 * A web app as a team would write it with OpenFeature's web SDK and the generic OFREP provider,
 * unchanged: the browser test bundles it and drives it through `window.flags`.
 */
interface Start {
  baseUrl: string;
  token: string;
  user: string;
  city: string;
  pollInterval: number;
  changeDetection: "sse" | "polling";
}

const state = { changes: 0 };

async function start(options: Start): Promise<void> {
  const provider = new OFREPWebProvider({
    baseUrl: options.baseUrl,
    headers: [["Authorization", `Bearer ${options.token}`]],
    pollInterval: options.pollInterval,
    changeDetection: options.changeDetection,
    cacheMode: "disabled",
  });
  await OpenFeature.setContext({ targetingKey: options.user, city: options.city });
  await OpenFeature.setProviderAndWait(provider);
  OpenFeature.getClient().addHandler(ProviderEvents.ConfigurationChanged, () => state.changes++);
}

function details(key: string) {
  const client = OpenFeature.getClient();
  const { value, reason, variant } = client.getObjectDetails(key, {});
  return { value, reason, variant };
}

(globalThis as unknown as { flags: object }).flags = {
  start,
  details,
  number: (key: string) => OpenFeature.getClient().getNumberValue(key, -1),
  changes: () => state.changes,
};
