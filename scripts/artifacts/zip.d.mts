export interface ZipEntry {
  name: string;
  data: Buffer;
}
export declare function zipFiles(entries: ZipEntry[]): Buffer;
