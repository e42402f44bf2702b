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
