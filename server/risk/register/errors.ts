/** A request the register refuses, with the HTTP status the route answers (400 invalid, 403 not yours, 404 unknown). */
export class RegisterRefusal extends Error {
  constructor(readonly status: 400 | 403 | 404, message: string) {
    super(message);
  }
}
