import { normalizeKeyName, valueTypeError, ValueType } from "../../src/keys/key-rules";

const field = ["input", "defaultValue"];

describe("key names", () => {
  test.each(["dark_mode", "a", "A1", "feature.checkout-v2", "x".repeat(64)])(
    "%j is a valid key name",
    (name) => {
      expect(normalizeKeyName(name, ["name"])).toEqual({
        ok: true,
        value: { name, nameKey: name.toLowerCase() },
      });
    },
  );

  test.each(["", " ", "1a", "-a", ".a", "_a", "a b", "a/b", "é", "x".repeat(65)])(
    "%j is not a valid key name",
    (name) => {
      const result = normalizeKeyName(name, ["name"]);
      expect(result.ok).toBe(false);
    },
  );

  test("the name is trimmed before it is judged", () => {
    expect(normalizeKeyName("  dark_mode\t", ["name"])).toEqual({
      ok: true,
      value: { name: "dark_mode", nameKey: "dark_mode" },
    });
  });
});

describe("values of a key's type", () => {
  test.each<[ValueType, unknown]>([
    [ValueType.STRING, ""],
    [ValueType.STRING, "😀".repeat(10_000)],
    [ValueType.NUMBER, 0],
    [ValueType.NUMBER, -1.5e300],
    [ValueType.BOOLEAN, false],
    [ValueType.JSON, { nested: [1, "two", null, { three: true }] }],
    [ValueType.JSON, 42],
    [ValueType.JSON, "text"],
  ])("%s accepts %j", (type, value) => {
    expect(valueTypeError(type, value, field)).toBeNull();
  });

  test.each<[ValueType, unknown]>([
    [ValueType.STRING, 1],
    [ValueType.STRING, "x".repeat(10_001)],
    [ValueType.NUMBER, "1"],
    [ValueType.NUMBER, Infinity],
    [ValueType.NUMBER, NaN],
    [ValueType.BOOLEAN, 0],
    [ValueType.BOOLEAN, null],
    [ValueType.JSON, null],
    [ValueType.JSON, { n: Infinity }],
    [ValueType.JSON, "x".repeat(64 * 1024)],
  ])("%s refuses %j as INVALID at the field", (type, value) => {
    expect(valueTypeError(type, value, field)).toMatchObject({ code: "INVALID", field });
  });

  test("string lengths count characters, not UTF-16 units", () => {
    expect(valueTypeError(ValueType.STRING, "😀".repeat(10_001), field)).not.toBeNull();
  });
});
