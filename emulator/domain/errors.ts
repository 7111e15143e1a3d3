export interface ErrorItem {
  code: string;
  message: string;
}

/** An answer in Stark Bank's error envelope: `{"errors": [{code, message}, ...]}` with an HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ErrorItem[],
  ) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
    this.name = 'ApiError';
  }

  static invalid(code: string, message: string): ApiError {
    return new ApiError(400, [{ code, message }]);
  }

  static notFound(resource: string, id: string): ApiError {
    return new ApiError(404, [{ code: 'notFound', message: `${resource} ${id} was not found` }]);
  }
}
