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

registerEnumType(ExperienceKind, { name: "ExperienceKind" });
registerEnumType(ExperienceStatus, {
  name: "ExperienceStatus",
  description: "DRAFT → RUNNING (start) ⇄ PAUSED (pause/start); RUNNING or PAUSED → STOPPED (stop), which is final.",
});
