import { createRequire } from 'node:module';

/**
 * Microsoft's own Adaptive Cards parser (`adaptivecards`, the renderer Teams' web client and the Designer
 * build on): what it reports while parsing a card and validating its properties. Its `lib/` is ES modules
 * without file extensions, which Node cannot load, so this loads the package's UMD bundle; parsing needs no DOM.
 */
interface ParserEvent {
  event: number;
  message: string;
}
interface ParsedCard {
  parse(json: unknown, context: SerializationContext): void;
  validateProperties(): { validationEvents: ParserEvent[] };
}
interface SerializationContext {
  eventCount: number;
  getEventAt(i: number): ParserEvent;
}
interface AdaptiveCardsModule {
  AdaptiveCard: new () => ParsedCard;
  SerializationContext: new () => SerializationContext;
  ValidationEvent: Record<number, string>;
}

const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;

/** Each problem the official parser finds in a card (its hints left out); empty when it takes the card as it is. */
export function parserViolations(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  const events = [
    ...Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i)),
    ...parsed.validateProperties().validationEvents,
  ];
  return events
    .filter((e) => AC.ValidationEvent[e.event] !== 'Hint')
    .map((e) => `adaptivecards parser: ${AC.ValidationEvent[e.event] ?? e.event}: ${e.message}`);
}
