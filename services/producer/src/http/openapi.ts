import { EVENT_TYPES, renderJsonSchemas, type EventTypeDefinition } from '@govstats/schemas';
import { BATCH_MEDIA_TYPE, STRUCTURED_MEDIA_TYPE } from './cloudevents-http.ts';

/*
 * The service's OpenAPI 3.1 description, generated from the event-type registry and the same zod
 * contracts the service and ingest enforce (as JSON Schema 2020-12, which OpenAPI 3.1 speaks):
 * a new event type, or a new contract version, is described with no edit here.
 */

export const EVENTS_PATH = '/events';
export const OPENAPI_PATH = '/openapi.json';
export const typePath = (type: EventTypeDefinition) => `${EVENTS_PATH}/${type.name}`;

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Each contract version's schema, under `<type>.v<N>`, without the keys that only a standalone file needs. */
function contractSchemas(): Record<string, Json> {
  const schemas: Record<string, Json> = {};
  for (const type of EVENT_TYPES) {
    for (const [file, text] of renderJsonSchemas(type)) {
      const schema = JSON.parse(text) as Json;
      delete schema.$id;
      delete schema.$schema;
      schemas[file.replace(/\.schema\.json$/, '')] = schema;
    }
  }
  return schemas;
}

const versionsOf = (type: EventTypeDefinition) => type.versions.map((v) => ref(`${type.name}.v${v.version}`));

function problem(description: string, retry = false): Json {
  return {
    description,
    ...(retry && { headers: { 'Retry-After': { description: 'Seconds to wait before sending again', schema: { type: 'integer' } } } }),
    content: { 'application/problem+json': { schema: ref('Problem') } },
  };
}

const RESPONSES: Json = {
  '202': {
    description:
      'Every event of the request is durable in Kafka (acknowledged by all in-sync replicas). Sending it again is safe: events are counted once by id.',
    content: { 'application/json': { schema: ref('Accepted') } },
  },
  '400': problem('The body or a header cannot be read (not JSON, not a batch array, a bad ce- header). Nothing was accepted.'),
  '401': problem('No key, or a key the service does not know (Authorization: Bearer <key>).'),
  '403': problem('The key may not speak for an event’s source or place (division code); `errors` names each. Nothing was accepted.'),
  '413': problem('The body is larger than the service accepts, or the batch has too many events.'),
  '415': problem('Not a CloudEvents content mode the service reads.'),
  '422': problem('Events break the envelope or their contract; `errors` names each event and field. Nothing was accepted.'),
  '429': problem('Too many events are waiting for Kafka: slow down and retry after Retry-After.', true),
  '503': problem('Kafka is not acknowledging, or the service is stopping: nothing was accepted; retry after Retry-After.', true),
};

function postOperation(summary: string, oneOf: Json[], operationId: string): Json {
  const event = { oneOf };
  return {
    post: {
      operationId,
      summary,
      description:
        'CloudEvents HTTP binding. Structured mode: one event as `application/cloudevents+json`. Batched mode: a JSON array as ' +
        '`application/cloudevents-batch+json`. Binary mode: the attributes as `ce-specversion`, `ce-id`, `ce-source`, `ce-type`, ' +
        '`ce-time`, `ce-subject` (and extension) headers, the data as an `application/json` body. A request is accepted whole or not at all.',
      security: [{ callerKey: [] }],
      requestBody: {
        required: true,
        content: {
          [STRUCTURED_MEDIA_TYPE]: { schema: event },
          [BATCH_MEDIA_TYPE]: { schema: { type: 'array', items: event } },
          'application/json': { schema: { description: 'Binary mode: the event data; its attributes are in ce- headers.' } },
        },
      },
      responses: RESPONSES,
    },
  };
}

export function renderOpenApi(version: string): Json {
  const paths: Json = {
    [EVENTS_PATH]: postOperation(
      'Publish events of any type',
      EVENT_TYPES.flatMap((type) => versionsOf(type)),
      'publishEvents',
    ),
  };
  for (const type of EVENT_TYPES) {
    paths[typePath(type)] = postOperation(`Publish ${type.title.en} (${type.title.zh}) events`, versionsOf(type), `publish-${type.name}`);
  }
  paths['/healthz'] = {
    get: {
      summary: 'Up and Kafka acknowledging (200), or not (503)',
      responses: { '200': { description: 'healthy' }, '503': { description: 'unhealthy' } },
    },
  };
  paths['/metrics'] = { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition format' } } } };
  paths[OPENAPI_PATH] = { get: { summary: 'This description', responses: { '200': { description: 'OpenAPI 3.1 JSON' } } } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'govstats producer service',
      version,
      description: 'Takes grassroots-governance events as CloudEvents over HTTP and makes them durable in Kafka, for ingest to count.',
    },
    paths,
    components: {
      securitySchemes: {
        callerKey: { type: 'http', scheme: 'bearer', description: 'The key of the calling system (`govstats producer-key`).' },
      },
      schemas: {
        ...contractSchemas(),
        Accepted: {
          type: 'object',
          required: ['accepted'],
          properties: { accepted: { type: 'integer', description: 'Events made durable' } },
        },
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details, with one entry per refused event.',
          required: ['title', 'status'],
          properties: {
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['index', 'reason', 'fields', 'detail'],
                properties: {
                  index: { type: 'integer', description: 'Place of the event in the request (0 for one event)' },
                  id: { type: 'string' },
                  reason: {
                    type: 'string',
                    description:
                      'invalid_envelope, invalid_data, unknown_event_type, unsupported_version, wrong_level, future_time, oversized, wrong_route, forbidden',
                  },
                  fields: {
                    type: 'array',
                    items: { type: 'string' },
                    description: 'Attributes or data fields at fault, e.g. data.duration_minutes',
                  },
                  detail: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  };
}
