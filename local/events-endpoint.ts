import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { EventBridgeEvent } from 'aws-lambda';
import { matchesPattern, type RulePattern } from '../functions/domain/event-pattern';

/**
 * An EventBridge-compatible `PutEvents` endpoint (AWS JSON 1.1) for one bus, so the platform's
 * own `@aws-sdk/client-eventbridge` code runs unchanged against local mode. Events that match
 * the stack's rule go to `onMatched`, the rule's target; every other event to `onUnmatched`.
 * Herald's own operational events come here too (the functions' EventBridge client is pointed
 * at this endpoint), so what the platform would see on the bus is what `onMatched` sees.
 */
export type PlatformEvent = EventBridgeEvent<string, unknown>;

export interface EventsEndpointOptions {
  busName: string;
  region: string;
  accountId: string;
  pattern: RulePattern;
  onMatched: (event: PlatformEvent) => void;
  onUnmatched?: (event: PlatformEvent) => void;
}

interface EntryResult {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

const maxEntries = 10;
/** EventBridge's limit for one request's entries. */
const maxRequestBytes = 256 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID() });
  res.end(JSON.stringify(body));
}

function awsError(res: ServerResponse, status: number, type: string, message: string) {
  sendJson(res, status, { __type: type, message });
}

export function createEventsServer(options: EventsEndpointOptions): Server {
  const busArn = `arn:aws:events:${options.region}:${options.accountId}:event-bus/${options.busName}`;
  const busMatches = (name: string | undefined) =>
    name === undefined || name === options.busName || name === busArn;

  function accept(entry: Record<string, unknown>): EntryResult {
    const { Source, DetailType, Detail, EventBusName, Time, Resources } = entry;
    if (!busMatches(EventBusName as string | undefined)) {
      return {
        ErrorCode: 'NotFoundException',
        ErrorMessage: `Event bus ${String(EventBusName)} does not exist.`,
      };
    }
    if (typeof Source !== 'string' || Source === '' || typeof DetailType !== 'string' || DetailType === '') {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameters Source and DetailType are required.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(typeof Detail === 'string' ? Detail : '');
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const event: PlatformEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': DetailType,
      source: Source,
      account: options.accountId,
      time: Time
        ? new Date(Number(Time) * 1000 || String(Time)).toISOString().replace(/\.\d{3}Z$/, 'Z')
        : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: options.region,
      resources: Array.isArray(Resources) ? (Resources as string[]) : [],
      detail,
    };
    if (matchesPattern(options.pattern, event)) options.onMatched(event);
    else options.onUnmatched?.(event);
    return { EventId: event.id };
  }

  return createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxRequestBytes * 4)
        return awsError(res, 413, 'ValidationException', 'Request is too large.');
      chunks.push(chunk as Buffer);
    }
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
      return awsError(
        res,
        400,
        'UnknownOperationException',
        `Only AWSEvents.PutEvents is served here, not ${String(target)}.`,
      );
    }
    let input: { Entries?: unknown };
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: unknown };
    } catch {
      return awsError(res, 400, 'SerializationException', 'The request body is not valid JSON.');
    }
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > maxEntries) {
      return awsError(res, 400, 'ValidationException', `Entries must hold 1 to ${maxEntries} events.`);
    }
    if (size > maxRequestBytes) {
      return awsError(
        res,
        400,
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );
    }
    const results = entries.map((entry) =>
      typeof entry === 'object' && entry !== null
        ? accept(entry as Record<string, unknown>)
        : { ErrorCode: 'InvalidArgument', ErrorMessage: 'An entry must be an object.' },
    );
    sendJson(res, 200, { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results });
  });
}
