// What a person typed into a tag box (the photo's tag editor, the selection bar's "Add tags"), read as
// a list of tags: commas separate tags unless quoted.

import { parseTagList } from '../../../shared/vocabulary.ts';
import { errorMessage } from './format.ts';

/** The tags typed, or the message to show when the text is not a list of tags (an unclosed quote). */
export function readTagInput(text: string): { tags: string[]; error?: undefined } | { tags?: undefined; error: string } {
  try {
    return { tags: parseTagList(text) };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}
