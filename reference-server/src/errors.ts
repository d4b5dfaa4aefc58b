/**
 * One error envelope for the three APIs, `{ code, message, detail? }`, and a closed set of codes.
 * Where the real API had a known error body the code is the real string and `message` repeats it
 * (the IO app matched `message === "creditcard.already_exists"`; BPD answered
 * `user.not-enabled.error`), so a client written against the real system and one written against
 * picco's codes both work. Everything else is picco's own code. `detail` says what was wrong
 * (which field, which limit) and never echoes a PAN, CVV, IBAN, fiscal code or token.
 *
 * 5xx codes exist only for simulated downstream outages and injected route faults; any other
 * 5xx is a bug (`internal.error`).
 *
 * @example
 * throw new ApiError('creditcard.already_exists');
 * throw new ApiError('request.invalid', 'data.creditCard.expireMonth: expected MM');
 */

export const ERROR_CODES = {
  'request.malformed_json': { status: 400, message: 'the request body is not valid JSON' },
  'request.invalid': { status: 400, message: 'the request does not match the API' },
  'request.too_large': { status: 413, message: 'the request body is too large' },
  'route.not_found': { status: 404, message: 'no such route' },
  'auth.unauthorized': { status: 401, message: 'missing, unknown or expired bearer token' },
  'auth.invalid_credentials': { status: 401, message: 'invalid credentials' },
  'profile.no_email': { status: 400, message: 'the user has no valid email' },
  'creditcard.already_exists': { status: 422, message: 'creditcard.already_exists' },
  'creditcard.invalid': { status: 400, message: 'the card number, expiry or security code is not valid' },
  'wallet.not_found': { status: 404, message: 'wallet not found' },
  'wallet.not_verified': { status: 409, message: 'the card has not completed verification' },
  'wallet.already_verified': { status: 409, message: 'the card has already been verified' },
  'payment.not_found': { status: 404, message: 'verification payment not found' },
  'bancomat.unknown_card': { status: 400, message: 'the card is not among the cards found for this user' },
  'citizen.not_found': { status: 404, message: 'citizen not found' },
  'citizen.disabled': { status: 400, message: 'the citizen is not enabled' },
  'user.not-enabled.error': { status: 403, message: 'user.not-enabled.error' },
  'iban.invalid': { status: 400, message: 'invalid IBAN' },
  'paymentinstrument.not_found': { status: 404, message: 'payment instrument not found' },
  'paymentinstrument.conflict': { status: 409, message: 'hpan already exists' },
  'awardperiod.not_found': { status: 404, message: 'award period not found' },
  'cashback.no_transactions': { status: 404, message: 'no transactions yet' },
  'ranking.not_found': { status: 404, message: 'citizen not ranked in this period' },
  'request.rate_limited': { status: 429, message: 'too many requests for this token' },
  'server.overloaded': { status: 503, message: 'the server is shedding load' },
  'idempotency.invalid_key': { status: 400, message: 'invalid Idempotency-Key' },
  'idempotency.key_reused': { status: 422, message: 'the Idempotency-Key was used for a different request' },
  'idempotency.in_progress': { status: 409, message: 'a request with this Idempotency-Key is in progress' },
  'downstream.unavailable': { status: 503, message: 'a downstream service is unavailable' },
  'downstream.timeout': { status: 504, message: 'a downstream service did not answer in time' },
  'fault.injected': { status: 503, message: 'failure injected by the faults profile' },
  'internal.error': { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorEnvelope {
  code: ErrorCode;
  message: string;
  detail?: string;
}

/**
 * An answer in the envelope, thrown from anywhere in a request. It is control flow (a 422 for a
 * re-added card is a fifth of the 7 Dec evening's requests), not a bug: no stack is captured.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  constructor(code: ErrorCode, detail?: string, status?: number) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail === undefined ? code : `${code}: ${detail}`);
    Error.stackTraceLimit = limit;
    this.code = code;
    this.detail = detail;
    this.status = status ?? ERROR_CODES[code].status;
  }

  envelope(): ErrorEnvelope {
    const e: ErrorEnvelope = { code: this.code, message: ERROR_CODES[this.code].message };
    if (this.detail !== undefined) e.detail = this.detail;
    return e;
  }
}
