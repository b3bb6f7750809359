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
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Makes an SVG safe to rasterise: no DOCTYPE (so no entities, no XXE), no scripts, event
 * handlers, foreign content or embedded documents, and no reference that leaves the document
 * (only {@code #fragment} and raster {@code data:} images stay). What cannot be parsed is
 * refused. Pure; thread-safe.
 */
public final class SvgSanitizer {
    private static final Set<String> DROPPED_ELEMENTS = Set.of("script", "foreignobject", "iframe", "object", "embed",
            "audio", "video", "handler", "listener");
    private static final List<String> SAFE_DATA = List.of("data:image/png", "data:image/jpeg", "data:image/gif",
            "data:image/webp");

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
        Document document = parse(svg);
        Element root = document.getDocumentElement();
        if (!"svg".equalsIgnoreCase(root.getLocalName() != null ? root.getLocalName() : root.getNodeName())) {
            throw HttpError.unprocessable("not an SVG document");
        }
        clean(root);
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
