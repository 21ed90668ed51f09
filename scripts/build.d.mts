export declare const entries: Record<string, string>;
export declare function build(opts?: { quiet?: boolean }): Promise<void>;
