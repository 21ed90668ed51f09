export declare const FUNCTIONS_HOST_JSON: {
  version: string;
  logging: { applicationInsights: { samplingSettings: { isEnabled: boolean; excludedTypes: string } } };
  extensionBundle: { id: string; version: string };
  extensions: { http: { routePrefix: string }; queues: { maxDequeueCount: number; visibilityTimeout: string } };
};
export declare function buildFunctionsPackage(outZip: string): Promise<{ path: string; sha256: string }>;
