import type { Activity } from '@microsoft/agents-activity';
import type { ConnectorClient, HttpClient, HttpRequestConfig, HttpResponse } from '@microsoft/agents-hosting';

/**
 * The Microsoft 365 Agents SDK's Bot Connector client (`@microsoft/agents-hosting` ConnectorClient, the
 * maintained successor of Bot Framework's), loaded at the first Teams call: a Slack-only process never
 * loads it (it brings MSAL and the SDK's own zod 3, about 0.2 s at startup).
 */
interface Sdk {
  ConnectorClient: typeof ConnectorClient;
  /** A ConnectorClient over a given HttpClient (the SDK's constructor is protected). */
  connectorOver: (http: HttpClient) => ConnectorClient;
  /** The SDK's HttpClient with a deadline on every request (its ConnectorClient sets none). */
  BoundedHttpClient: new (
    options: { baseURL: string; headers: Record<string, string> },
    timeoutMs: number,
  ) => HttpClient;
  isHttpError: (err: unknown) => err is Error & { status: number; response: Pick<HttpResponse, 'headers'> };
  Activity: typeof Activity;
}

let loading: Promise<Sdk> | undefined;

async function load(): Promise<Sdk> {
  const [hosting, activity] = await Promise.all([
    import('@microsoft/agents-hosting'),
    import('@microsoft/agents-activity'),
  ]);
  class BoundedHttpClient extends hosting.HttpClient {
    constructor(
      options: { baseURL: string; headers: Record<string, string> },
      private readonly timeoutMs: number,
    ) {
      super(options);
    }
    override request<T>(config: HttpRequestConfig): Promise<HttpResponse<T>> {
      return super.request<T>({ ...config, timeout: config.timeout ?? this.timeoutMs });
    }
  }
  class ConnectorOver extends hosting.ConnectorClient {
    constructor(http: HttpClient) {
      super(http);
    }
  }
  return {
    ConnectorClient: hosting.ConnectorClient,
    connectorOver: (http) => new ConnectorOver(http),
    BoundedHttpClient,
    isHttpError: (err): err is Error & { status: number; response: Pick<HttpResponse, 'headers'> } =>
      err instanceof hosting.HttpError,
    Activity: activity.Activity,
  };
}

/** The SDK, loaded once. */
export function agentsSdk(): Promise<Sdk> {
  loading ??= load().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

/**
 * The SDK's ConnectorClient for one serviceUrl with the bot's token: `createClientWithToken` sets the
 * SDK's headers (Authorization, User-Agent, Accept); its HttpClient is swapped for one with a deadline.
 */
export async function sdkClient(serviceUrl: string, token: string, timeoutMs: number): Promise<ConnectorClient> {
  const sdk = await agentsSdk();
  const plain = sdk.ConnectorClient.createClientWithToken(serviceUrl, token);
  const http = new sdk.BoundedHttpClient(
    { baseURL: plain.httpClient.baseURL, headers: plain.httpClient.defaultHeaders },
    timeoutMs,
  );
  return sdk.connectorOver(http);
}
