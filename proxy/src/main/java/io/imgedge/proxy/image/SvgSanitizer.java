package io.imgedge.proxy.image;

import io.imgedge.proxy.error.HttpError;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes an SVG safe to rasterise: no DOCTYPE but the standard SVG 1.0/1.1 ones without an internal
 * subset (so no entities, no XXE; the accepted one is dropped), no scripts, event handlers,
 * foreign content or embedded documents, no reference that leaves the document (only
 * {@code #fragment} and raster {@code data:} images stay), and no more than
 * {@value #MAX_EXPANDED} elements once every {@code <use>} is expanded (a "use bomb" renders
 * billions). What cannot be parsed is refused. Pure; thread-safe.
 */
public final class SvgSanitizer {
    private static final Set<String> DROPPED_ELEMENTS = Set.of("script", "foreignobject", "iframe", "object", "embed",
            "audio", "video", "handler", "listener");
    private static final String XLINK = "http://www.w3.org/1999/xlink";
    private static final List<String> SAFE_DATA = List.of("data:image/png", "data:image/jpeg", "data:image/gif",
            "data:image/webp");

    /** Elements a document may draw once its {@code <use>} references are expanded. */
    static final long MAX_EXPANDED = 200_000;
    /**
     * The DOCTYPEs SVG 1.0 and 1.1 documents carry (Illustrator and older Inkscape exports),
     * with no internal subset: they declare nothing and are dropped before parsing.
     */
    private static final Pattern STANDARD_DOCTYPE = Pattern.compile("<!DOCTYPE\\s+svg\\s+PUBLIC\\s+([\"'])-//W3C//DTD SVG "
            + "(1\\.0|20010904|1\\.1|1\\.1 Basic|1\\.1 Tiny)//EN\\1\\s+([\"'])http://www\\.w3\\.org/"
            + "(TR/2001/REC-SVG-20010904/DTD/svg10\\.dtd|Graphics/SVG/1\\.1/DTD/svg11(-basic|-tiny)?\\.dtd)\\3\\s*>");

    private SvgSanitizer() {
    }

    /** Whether {@code bytes} look like an SVG document (XML whose root element is {@code svg}). */
    public static boolean looksLikeSvg(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8).stripLeading();
        if (head.startsWith("\uFEFF")) {
            head = head.substring(1).stripLeading();
        }
        return (head.startsWith("<?xml") || head.startsWith("<svg") || head.startsWith("<!--")) && head.contains("<svg");
    }

    /**
     * @return the cleaned document
     * @throws HttpError 422 for a document that does not parse or has a DOCTYPE
     */
    public static byte[] sanitize(byte[] svg) {
        Document document = parse(withoutStandardDoctype(svg));
        Element root = document.getDocumentElement();
        if (!"svg".equalsIgnoreCase(root.getLocalName() != null ? root.getLocalName() : root.getNodeName())) {
            throw HttpError.unprocessable("not an SVG document");
        }
        clean(root);
        checkExpansion(root);
        try {
            Transformer out = TransformerFactory.newInstance().newTransformer();
            out.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(svg.length);
            out.transform(new DOMSource(document), new StreamResult(bytes));
            return bytes.toByteArray();
        } catch (TransformerException e) {
            throw HttpError.unprocessable("SVG cannot be rewritten: " + e.getMessage());
        }
    }

    /** The document without its DOCTYPE when that is a standard SVG one (the rest is left to the parser to refuse). */
    static byte[] withoutStandardDoctype(byte[] svg) {
        String head = new String(svg, 0, Math.min(svg.length, 4096), StandardCharsets.ISO_8859_1);
        int at = head.indexOf("<!DOCTYPE");
        if (at < 0) {
            return svg;
        }
        Matcher doctype = STANDARD_DOCTYPE.matcher(head);
        if (!doctype.find(at) || doctype.start() != at) {
            return svg;
        }
        byte[] out = new byte[svg.length - (doctype.end() - at)];
        System.arraycopy(svg, 0, out, 0, at);
        System.arraycopy(svg, doctype.end(), out, at, svg.length - doctype.end());
        return out;
    }

    /**
     * Refuses a document that draws more than {@link #MAX_EXPANDED} elements once each
     * {@code <use>} is replaced by what it references, or whose references form a loop.
     */
    private static void checkExpansion(Element root) {
        Map<String, Element> ids = new HashMap<>();
        NodeList all = root.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (e.hasAttribute("id")) {
                ids.putIfAbsent(e.getAttribute("id"), e);
            }
        }
        if (expanded(root, ids, new HashMap<>(), new HashSet<>()) > MAX_EXPANDED) {
            throw HttpError.unprocessable("SVG too complex: more than " + MAX_EXPANDED + " elements once <use> is expanded");
        }
    }

    /** Elements {@code e} draws, saturating just past the bound; memoised per element. */
    private static long expanded(Element e, Map<String, Element> ids, Map<Element, Long> known, Set<Element> open) {
        Long memo = known.get(e);
        if (memo != null) {
            return memo;
        }
        if (!open.add(e)) {
            throw HttpError.unprocessable("SVG references form a loop");
        }
        long count = 1;
        NodeList children = e.getChildNodes();
        for (int i = 0; i < children.getLength() && count <= MAX_EXPANDED; i++) {
            if (children.item(i) instanceof Element child) {
                count += expanded(child, ids, known, open);
            }
        }
        String name = e.getLocalName() != null ? e.getLocalName() : e.getNodeName();
        if (name.equalsIgnoreCase("use") && count <= MAX_EXPANDED) {
            String href = e.hasAttributeNS(XLINK, "href") ? e.getAttributeNS(XLINK, "href") : e.getAttribute("href");
            Element target = href.startsWith("#") ? ids.get(href.substring(1)) : null;
            if (target != null) {
                count += expanded(target, ids, known, open);
            }
        }
        open.remove(e);
        count = Math.min(count, MAX_EXPANDED + 1);
        known.put(e, count);
        return count;
    }

    private static Document parse(byte[] svg) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            return builder.parse(new ByteArrayInputStream(svg));
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a secure setting", e);
        } catch (SAXException | IOException e) {
            throw HttpError.unprocessable("SVG cannot be parsed (DOCTYPEs are not accepted): " + e.getMessage());
        }
    }

    private static void clean(Element element) {
        NamedNodeMap attributes = element.getAttributes();
        List<Node> unsafe = new ArrayList<>();
        for (int i = 0; i < attributes.getLength(); i++) {
            Node attribute = attributes.item(i);
            String name = (attribute.getLocalName() != null ? attribute.getLocalName() : attribute.getNodeName())
                    .toLowerCase(Locale.ROOT);
            String value = attribute.getNodeValue().strip().toLowerCase(Locale.ROOT);
            boolean reference = name.equals("href") || name.equals("src");
            if (name.startsWith("on") || reference && !safeReference(value)
                    || value.contains("url(") && !value.matches("(?s).*url\\(\\s*['\"]?#.*") || value.contains("javascript:")) {
                unsafe.add(attribute);
            }
        }
        for (Node attribute : unsafe) {
            element.removeAttributeNode((org.w3c.dom.Attr) attribute);
        }
        NodeList children = element.getChildNodes();
        List<Node> dropped = new ArrayList<>();
        for (int i = 0; i < children.getLength(); i++) {
            Node child = children.item(i);
            if (child instanceof Element e) {
                String name = (e.getLocalName() != null ? e.getLocalName() : e.getNodeName()).toLowerCase(Locale.ROOT);
                boolean styleImports = name.equals("style") && (e.getTextContent().contains("@import")
                        || e.getTextContent().toLowerCase(Locale.ROOT).matches("(?s).*url\\(\\s*['\"]?[^#'\"\\s].*"));
                if (DROPPED_ELEMENTS.contains(name) || styleImports) {
                    dropped.add(e);
                } else {
                    clean(e);
                }
            } else if (child.getNodeType() == Node.PROCESSING_INSTRUCTION_NODE
                    || child.getNodeType() == Node.ENTITY_REFERENCE_NODE) {
                dropped.add(child);
            }
        }
        dropped.forEach(element::removeChild);
    }

    private static boolean safeReference(String value) {
        if (value.startsWith("#")) {
            return true;
        }
        for (String data : SAFE_DATA) {
            if (value.startsWith(data)) {
                return true;
            }
        }
        return false;
    }
}
