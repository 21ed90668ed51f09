export declare const AGENT_BUNDLE_EXTERNALS: string[];
export declare function buildAgentBundle(outFile: string): Promise<{ path: string; sha256: string; bytes: number }>;
