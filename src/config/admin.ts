import { z } from 'zod';
import type { CodecConfig, CodecToken } from '../temporal/codecAuth';
import { duration, httpUrl, optionalString, port, readSettingFile } from './fields';
import { defineSection } from './section';

// What a process serves beside its work: metrics and readiness, the codec server, traces.
const schema = z.object({
  // The admin port (metrics, readiness): on the loopback unless told otherwise.
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  ADMIN_PORT: port(9464),
  // The codec server, on a port of its own: scraping /metrics must never reach it. Off unless a token or OIDC is set.
  CODEC_HOST: z.string().min(1).default('127.0.0.1'),
  CODEC_PORT: port(9466),
  // Secrets: the token the Web UI's codec endpoint carries (id web-ui), and id:token entries for operators and tools.
  CODEC_TOKEN: optionalString.refine((t) => t === undefined || t.length >= 16, {
    message: 'must be at least 16 characters (the value is not shown)',
  }),
  CODEC_TOKENS: optionalString,
  CODEC_TOKENS_FILE: optionalString,
  // Where the Web UI signs users in: the codec server checks the access token it forwards instead of a shared secret.
  CODEC_OIDC_ISSUER: httpUrl().optional(),
  CODEC_OIDC_AUDIENCE: optionalString,
  CODEC_CORS_ORIGINS: z
    .string()
    .default('http://localhost:8233,http://127.0.0.1:8233,http://localhost:8080,http://127.0.0.1:8080')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  // The payout gauges count workflows in Temporal at scrape time: one process of a deployment serves them.
  PAYOUT_GAUGES: z.stringbool().default(false),
  // How long the pause switch may stay on before the PayoutsPausedTooLong alert fires (served as a gauge).
  PAYOUT_PAUSE_ALERT_AFTER: duration.default('1h'),
  SDK_METRICS_ADDRESS: z
    .string()
    .regex(/^[^:]+:\d+$/, 'expected host:port')
    .optional(),
  // OpenTelemetry's own variable names: traces go to <endpoint>/v1/traces over OTLP/HTTP; off when unset.
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl().optional(),
  OTEL_SERVICE_NAME: optionalString,
});
type Vars = z.output<typeof schema>;

export const adminSection = defineSection(schema, (e, problems) => ({
  /** Where the process serves /metrics, /healthz and /readyz; where the SDK exports its metrics. */
  admin: {
    host: e.ADMIN_HOST,
    port: e.ADMIN_PORT,
    sdkMetricsAddress: e.SDK_METRICS_ADDRESS,
    /** Whether this process serves the payout gauges (exactly one process of a deployment should). */
    payoutGauges: e.PAYOUT_GAUGES,
    /** How long the pause switch may stay on before its alert fires. */
    pauseAlertAfter: e.PAYOUT_PAUSE_ALERT_AFTER,
  },
  /** The codec server (its own port); absent when neither a token nor OIDC is configured. */
  codec: loadCodecConfig(e, problems),
  tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
}));

/** The codec server's settings: none without a token or an OIDC issuer. Never echoes a token. */
function loadCodecConfig(e: Vars, problems: string[]): CodecConfig | undefined {
  const tokens: CodecToken[] = e.CODEC_TOKEN ? [{ id: 'web-ui', token: e.CODEC_TOKEN }] : [];
  const text =
    e.CODEC_TOKENS ?? (e.CODEC_TOKENS_FILE && readSettingFile('CODEC_TOKENS_FILE', e.CODEC_TOKENS_FILE, problems));
  const entries = (text || '')
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0 && !entry.startsWith('#'));
  entries.forEach((entry, i) => {
    const match = /^([A-Za-z0-9._-]{1,64}):(\S{16,})$/.exec(entry);
    if (match) tokens.push({ id: match[1]!, token: match[2]! });
    else problems.push(`CODEC_TOKENS: entry ${i + 1} is not id:<token of 16+ characters> (the value is not shown)`);
  });
  const ids = tokens.map((t) => t.id);
  if (new Set(ids).size !== ids.length) problems.push('CODEC_TOKENS: two tokens share an id (web-ui is CODEC_TOKEN)');
  if (e.CODEC_OIDC_ISSUER && !e.CODEC_OIDC_AUDIENCE) {
    problems.push('CODEC_OIDC_AUDIENCE: required with CODEC_OIDC_ISSUER (the audience its access tokens carry)');
  }
  const oidc =
    e.CODEC_OIDC_ISSUER && e.CODEC_OIDC_AUDIENCE
      ? { issuer: e.CODEC_OIDC_ISSUER, audience: e.CODEC_OIDC_AUDIENCE }
      : undefined;
  if (tokens.length === 0 && !oidc) return undefined;
  return { host: e.CODEC_HOST, port: e.CODEC_PORT, tokens, oidc, allowedOrigins: e.CODEC_CORS_ORIGINS };
}
