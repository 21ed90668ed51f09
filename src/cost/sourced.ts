// Every input of a cost figure says where it came from and when: nothing is a hidden constant.

/** live: an Azure API answered; sample: the local cloud's labelled sample data; measured: our own
 * platform's measurements; cited: a row of a table shipped in the repo with its public source;
 * assumed: a configurable assumption (its config key is named); config: gpuarb.yaml. */
export type SourceKind = 'live' | 'sample' | 'measured' | 'cited' | 'assumed' | 'config';

export interface Sourced<T> {
  value: T;
  source: SourceKind;
  /** What exactly: the API and query, the config key, the citation. */
  detail: string;
  /** ISO time the value was read (APIs) or stated (citations); absent for config. */
  at?: string;
}

export function sourced<T>(value: T, source: SourceKind, detail: string, at?: string): Sourced<T> {
  return at ? { value, source, detail, at } : { value, source, detail };
}
