import { Foundation1764300000000 } from "./1764300000000-Foundation";
import { Experiences1764400000000 } from "./1764400000000-Experiences";

/** In order; a start applies the ones the database has not seen. */
export const migrations = [Foundation1764300000000, Experiences1764400000000];
