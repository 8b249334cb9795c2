import { describe, expect, it } from "vitest";
import { buildListQuery, EMPTY_FILTERS, filtersFrom } from "./filters";

describe("saved filters", () => {
  it("keeps known keys of the right type and only the size and added choices there are", () => {
    const filters = filtersFrom({
      size: "tiny",
      added: "week",
      family: "sdxl",
      favorites: true,
      pending: "yes",
      nonsense: "x",
    });
    expect(filters).toEqual({ ...EMPTY_FILTERS, added: "week", family: "sdxl", favorites: true });
  });

  it("sends the size and added choices by name: the backend knows their ranges", () => {
    const query = buildListQuery({ ...EMPTY_FILTERS, size: "huge", added: "month" }, "", null);
    expect(query).toEqual({ sort: "name", descending: false, size: "huge", added: "month" });
  });
});
