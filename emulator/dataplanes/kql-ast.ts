// The tree a parsed KQL subset query becomes: the parser (kql-parse.ts) builds it and the
// evaluator (kql-eval.ts) walks it. Positions are kept so errors can point into the query.
export type Expr =
  | { kind: 'column'; name: string; pos: number }
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'datetime'; ms: number }
  | { kind: 'timespan'; ms: number }
  | { kind: 'call'; name: string; args: Expr[]; pos: number }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; pos: number }
  | { kind: 'in'; left: Expr; list: Expr[]; negated: boolean; pos: number };

export interface OrderKey {
  column: string;
  desc: boolean;
  pos: number;
}

export type Operator =
  | { kind: 'where'; expr: Expr }
  | { kind: 'project'; columns: { name: string; expr: Expr }[] }
  | { kind: 'order'; keys: OrderKey[] }
  | { kind: 'take'; count: number }
  | { kind: 'top'; count: number; key: OrderKey }
  | { kind: 'count' };

export interface KqlQuery {
  table: string;
  tablePos: number;
  operators: Operator[];
}
