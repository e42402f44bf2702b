import { Foundation1764300000000 } from "./1764300000000-Foundation";
import { Experiences1764400000000 } from "./1764400000000-Experiences";
import { Tracking1764500000000 } from "./1764500000000-Tracking";
import { WiderNameKeys1764600000000 } from "./1764600000000-WiderNameKeys";
import { ExperiencesOverTime1764700000000 } from "./1764700000000-ExperiencesOverTime";
import { ABTestOperations1764800000000 } from "./1764800000000-ABTestOperations";
import { Results1764900000000 } from "./1764900000000-Results";
import { ProjectParents1765000000000 } from "./1765000000000-ProjectParents";
import { WriteProbe1765100000000 } from "./1765100000000-WriteProbe";
import { Analysis1765200000000 } from "./1765200000000-Analysis";
import { Webhooks1765300000000 } from "./1765300000000-Webhooks";

/** In order; a start applies the ones the database has not seen. */
export const migrations = [
  Foundation1764300000000,
  Experiences1764400000000,
  Tracking1764500000000,
  WiderNameKeys1764600000000,
  ExperiencesOverTime1764700000000,
  ABTestOperations1764800000000,
  Results1764900000000,
  ProjectParents1765000000000,
  WriteProbe1765100000000,
  Analysis1765200000000,
  Webhooks1765300000000,
];
