/**
 * A query's argument the service cannot act on (a blank user id, a search with a NUL character).
 * Mutations answer such problems as userErrors; a query has no payload for them, so the service
 * throws this and the API layer reports it as BAD_USER_INPUT naming the argument.
 */
export class InvalidArgument extends Error {
  constructor(
    readonly argument: string,
    problem: string,
  ) {
    super(`${argument} ${problem}`);
    this.name = "InvalidArgument";
  }
}
