// A run stopped on purpose (the user, a client that went), named by the stage it stopped in.
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor(stage: string) {
    super(`cancelled while ${stage}`);
  }
}
