// A typedoc plugin: a document without a `title` in its frontmatter is named
// by its first `# Heading`, not by its file name. Generated pages (the
// benchmark report) and guides written without frontmatter then show their
// real titles in the navigation and in search.
import { Converter } from "typedoc";

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DOCUMENT, (_context, document) => {
    if (typeof document.frontmatter.title === "string") return;
    const text = document.content.map((part) => part.text).join("");
    const heading = /^#\s+(.+?)\s*#*\s*$/m.exec(text);
    if (heading) document.name = heading[1];
  });
}
