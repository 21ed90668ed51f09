export declare const ARTIFACTS_DIR: string;
export declare const MANIFEST_FILE: string;
export interface ArtifactEntry {
  name: string;
  sha256: string;
  size: number;
  /** Relative to the artifacts directory. */
  path: string;
}
export declare function buildArtifacts(outDir: string): Promise<{ artifacts: ArtifactEntry[] }>;
