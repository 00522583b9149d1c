// brain.js's DataFormatter (utilities/data-formatter.js, 1.6.1): the table between a character net's
// values (the characters of strings, or the items of arrays) and its input indexes, with the special
// values "stop-input", "start-output" and "unrecognized" of input/output data. Same tables, same
// order, same JSON as brain.js's, so nets trained in either read the other's text the same way.

import { FormatError, ShapeError } from "../../index.js";
import { jsonObject, kindOf } from "./described.js";

/** A value of a character net's data: a character of a string, or an item of an array. */
export type Value = string | number | boolean;

/** brain.js's DataFormatter fields, as its JSON holds them. */
export interface DataFormatterJSON {
  values?: unknown[];
  indexTable: Record<string, number>;
  characterTable: Record<string, Value | null>;
  characters: Value[];
  specialIndexes: number[];
}

const STOP_INPUT = "stop-input";
const START_OUTPUT = "start-output";
const UNRECOGNIZED = "unrecognized";

export class DataFormatter {
  private constructor(
    /** The training data the table was built from (brain.js keeps it in its JSON). */
    readonly values: unknown[] | undefined,
    readonly indexTable: Record<string, number>,
    readonly characterTable: Record<string, Value | null>,
    readonly characters: Value[],
    readonly specialIndexes: number[],
  ) {}

  /** brain.js's `new DataFormatter(values)`: every distinct item of every value, in order of appearance. */
  static fromValues(values: readonly (string | readonly Value[])[]): DataFormatter {
    const seen = new Set<string>();
    const characters: Value[] = [];
    for (const value of values) {
      for (let i = 0; i < value.length; i++) {
        const character = value[i];
        // brain.js keys its tables by the item as an object key (its string form)
        if (seen.has(String(character))) continue;
        seen.add(String(character));
        characters.push(character);
      }
    }
    const formatter = new DataFormatter([...values], {}, {}, characters, []);
    characters.forEach((character, index) => {
      formatter.indexTable[String(character)] = index;
      formatter.characterTable[index] = character;
    });
    return formatter;
  }

  /** brain.js's fromArrayInputOutput and addUnrecognized, for { input, output } data: the distinct
   *  values sorted as Array.prototype.sort sorts them, then the three special values. */
  static fromInputOutput(values: readonly (string | readonly Value[])[]): DataFormatter {
    const distinct = values.filter((v, i, all) => all.indexOf(v) === i).sort();
    const formatter = DataFormatter.fromValues(distinct);
    formatter.addSpecial(STOP_INPUT);
    formatter.addSpecial(START_OUTPUT);
    formatter.addSpecial(UNRECOGNIZED);
    return formatter;
  }

  /** From brain.js's JSON (or a DataFormatter of brain.js's), every field checked. */
  static fromJSON(value: unknown, field: string): DataFormatter {
    const json = jsonObject(value, field);
    const characters = json.characters;
    if (!Array.isArray(characters) || !characters.every(isValue)) throw new FormatError(`brain.js JSON: ${field}.characters must be an array of strings, numbers or booleans; got ${kindOf(characters)}`);
    const indexTable = jsonObject(json.indexTable, `${field}.indexTable`);
    for (const [key, index] of Object.entries(indexTable)) {
      if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= characters.length) {
        throw new FormatError(`brain.js JSON: ${field}.indexTable[${JSON.stringify(key)}] must be an index below ${characters.length} (the number of characters); got ${kindOf(index)}`);
      }
    }
    const characterTable = jsonObject(json.characterTable, `${field}.characterTable`);
    for (const [key, character] of Object.entries(characterTable)) {
      if (character !== null && !isValue(character)) throw new FormatError(`brain.js JSON: ${field}.characterTable[${JSON.stringify(key)}] must be a string, number, boolean or null; got ${kindOf(character)}`);
    }
    const specialIndexes = json.specialIndexes;
    if (!Array.isArray(specialIndexes) || !specialIndexes.every((i) => Number.isInteger(i) && i >= 0 && i < characters.length)) {
      throw new FormatError(`brain.js JSON: ${field}.specialIndexes must be an array of indexes below ${characters.length}; got ${kindOf(specialIndexes)}`);
    }
    if (json.values !== undefined && !Array.isArray(json.values)) throw new FormatError(`brain.js JSON: ${field}.values must be an array; got ${kindOf(json.values)}`);
    return new DataFormatter(json.values as unknown[] | undefined, { ...indexTable } as Record<string, number>, { ...characterTable } as Record<string, Value | null>, [...characters], [...specialIndexes]);
  }

  /** What brain.js's JSON holds for it. */
  toJSON(): DataFormatterJSON {
    return { values: this.values, indexTable: this.indexTable, characterTable: this.characterTable, characters: this.characters, specialIndexes: this.specialIndexes };
  }

  /** Whether the table is for { input, output } data. */
  get inputOutput(): boolean {
    return Object.hasOwn(this.indexTable, STOP_INPUT);
  }

  /** brain.js's toIndexes: a value not in the table is "unrecognized" when the table has it. */
  toIndexes(value: string | readonly Value[], where: string): number[] {
    const result: number[] = [];
    for (let i = 0; i < value.length; i++) {
      const key = String(value[i]);
      let index = Object.hasOwn(this.indexTable, key) ? this.indexTable[key] : undefined;
      if (index === undefined) {
        if (!this.indexTable[UNRECOGNIZED]) throw new ShapeError(`${where}: ${kindOf(value[i])} is not among the values the net was trained on (its data formatter has ${this.characters.length})`);
        index = this.indexTable[UNRECOGNIZED];
      }
      result.push(index);
    }
    return result;
  }

  /** brain.js's toIndexesInputOutput: the input, the two markers, then the output when given. */
  toIndexesInputOutput(input: string | readonly Value[], output: string | readonly Value[] | null, where: string): number[] {
    const marked = [...(typeof input === "string" ? input.split("") : input), STOP_INPUT, START_OUTPUT];
    const indexes = this.toIndexes(marked, where);
    if (output === null) return indexes;
    return indexes.concat(this.toIndexes(typeof output === "string" ? output.split("") : output, where));
  }

  /** brain.js's toCharacters: special values (null characters) and unknown indexes are left out. */
  toCharacters(indexes: readonly number[]): Value[] {
    const result: Value[] = [];
    for (const index of indexes) {
      const character = this.characterTable[index];
      if (character !== undefined && character !== null) result.push(character);
    }
    return result;
  }

  private addSpecial(special: string): void {
    const index = this.characters.length;
    this.indexTable[special] = index;
    this.characterTable[index] = null;
    this.specialIndexes.push(index);
    this.characters.push(special);
  }
}

function isValue(v: unknown): v is Value {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}
