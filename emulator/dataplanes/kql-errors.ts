// Log Analytics' error envelope for rejected queries. Azure answers 400 with
// `{error:{message, code:"BadArgumentError", innererror:{code:"SyntaxError"|"SemanticError",
// message, innererror:{code:"SYN0002"|"SEM0100", message, line, pos, token}}}}`.

export class KqlError extends Error {
  constructor(
    readonly kind: 'SyntaxError' | 'SemanticError',
    readonly detailCode: string,
    message: string,
    readonly where?: { line: number; pos: number; token: string },
  ) {
    super(message);
  }

  static syntax(query: string, offset: number, token: string, why: string): KqlError {
    const where = locate(query, offset, token);
    return new KqlError(
      'SyntaxError',
      'SYN0002',
      `Query could not be parsed at '${token}' on line [${where.line},${where.pos}]: ${why}`,
      where,
    );
  }

  /** Valid KQL the local cloud does not implement: named, so the reader knows it is the emulator. */
  static unsupported(query: string, offset: number, token: string, supported: string): KqlError {
    const where = locate(query, offset, token);
    return new KqlError(
      'SyntaxError',
      'SYN0002',
      `Query could not be parsed at '${token}' on line [${where.line},${where.pos}]: '${token}' ` +
        `is not supported by the gpuarb local cloud's KQL subset (supported: ${supported})`,
      where,
    );
  }

  static semantic(message: string): KqlError {
    return new KqlError('SemanticError', 'SEM0100', message);
  }

  toResponse(correlationId: string): Record<string, unknown> {
    return {
      error: {
        message: 'The request had some invalid properties',
        code: 'BadArgumentError',
        correlationId,
        innererror: {
          code: this.kind,
          message: this.kind === 'SyntaxError' ? 'A recognition error occurred in the query.' : 'A semantic error occurred.',
          innererror: { code: this.detailCode, message: this.message, ...(this.where ?? {}) },
        },
      },
    };
  }
}

function locate(query: string, offset: number, token: string): { line: number; pos: number; token: string } {
  const before = query.slice(0, offset).split('\n');
  return { line: before.length, pos: before[before.length - 1].length, token };
}
