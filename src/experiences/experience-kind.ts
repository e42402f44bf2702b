import { registerEnumType } from "type-graphql";

export enum ExperienceKind {
  PRODUCT_CONFIG = "PRODUCT_CONFIG",
  FEATURE_FLAG = "FEATURE_FLAG",
  AB_TEST = "AB_TEST",
}

export enum ExperienceStatus {
  DRAFT = "DRAFT",
  RUNNING = "RUNNING",
  PAUSED = "PAUSED",
  STOPPED = "STOPPED",
}

/** For messages: "No feature flag with this id". */
export const KIND_IN_WORDS: Record<ExperienceKind, string> = {
  [ExperienceKind.PRODUCT_CONFIG]: "product config",
  [ExperienceKind.FEATURE_FLAG]: "feature flag",
  [ExperienceKind.AB_TEST]: "A/B test",
};

registerEnumType(ExperienceKind, {
  name: "ExperienceKind",
  description: "The three kinds of experience.",
  valuesConfig: {
    PRODUCT_CONFIG: { description: "Overrides key values for the users of a segment." },
    FEATURE_FLAG: { description: "Serves one value of one key to a percentage of a segment." },
    AB_TEST: { description: "Splits a segment's users between variants and measures goals." },
  },
});
registerEnumType(ExperienceStatus, {
  name: "ExperienceStatus",
  description: "DRAFT → RUNNING (start) ⇄ PAUSED (pause/start); RUNNING or PAUSED → STOPPED (stop), which is final.",
  valuesConfig: {
    DRAFT: { description: "Being set up: serves nothing; everything can still change." },
    RUNNING: { description: "Serves values and assigns users." },
    PAUSED: { description: "Serves nothing for now; keeps its assignments; can start again." },
    STOPPED: { description: "Over for good: serves nothing; results stop counting." },
  },
});
