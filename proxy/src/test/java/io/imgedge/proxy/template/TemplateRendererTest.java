package io.imgedge.proxy.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imgedge.vips.ImageFormat;
import io.imgedge.vips.ImageLimits;
import io.imgedge.vips.TestImages;
import io.imgedge.vips.TransformSpec;
import io.imgedge.vips.Vips;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The product card rendered with libvips and decoded: the photo in its box, texts in theirs, the ribbon only on sale. */
class TemplateRendererTest {
    static final Vips VIPS = Vips.load(TestImages.vipsLibrary());
    static final TransformSpec PNG = new TransformSpec(0, 0, TransformSpec.Fit.FIT, TransformSpec.Gravity.CENTRE, false,
            Optional.of(ImageFormat.PNG), 80, true);
    static final String SHOE = "https://shop.example/shoe.jpg";

    static byte[] greenPhoto() {
        BufferedImage image = new BufferedImage(800, 600, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(0, 150, 60));
        g.fillRect(0, 0, 800, 600);
        g.dispose();
        return TestImages.encode(image, "png");
    }

    static BufferedImage render(JsonNode data) throws Exception {
        Template card = new TemplateParser(8192).parse(TemplateParserTest.productCard());
        assertEquals(List.of(SHOE), TemplateRenderer.sources(card, data));
        var drawing = TemplateRenderer.drawing(card, data, Map.of(SHOE, ByteBuffer.wrap(greenPhoto())));
        return TestImages.decode(VIPS.draw(drawing, PNG, new ImageLimits(50_000_000, 100)).bytes());
    }

    static ObjectNode sample() throws Exception {
        return (ObjectNode) new ObjectMapper().readTree("{\"name\": \"Red running shoe\", \"price\": 59.9, "
                + "\"sale_price\": 39.9, \"image\": \"" + SHOE + "\"}");
    }

    static Rectangle where(BufferedImage image, Rectangle within, IntPredicate pixel) {
        Rectangle found = null;
        for (int y = within.y; y < within.getMaxY(); y++) {
            for (int x = within.x; x < within.getMaxX(); x++) {
                if (pixel.test(image.getRGB(x, y))) {
                    found = found == null ? new Rectangle(x, y, 1, 1) : found.union(new Rectangle(x, y, 1, 1));
                }
            }
        }
        return found;
    }

    static boolean near(int rgb, int r, int g, int b) {
        return Math.abs((rgb >> 16 & 255) - r) < 16 && Math.abs((rgb >> 8 & 255) - g) < 16 && Math.abs((rgb & 255) - b) < 16;
    }

    static final IntPredicate YELLOW = rgb -> (rgb >> 16 & 255) > 200 && (rgb >> 8 & 255) > 170 && (rgb & 255) < 80;
    static final IntPredicate WHITE = rgb -> (rgb >> 16 & 255) > 200 && (rgb >> 8 & 255) > 200 && (rgb & 255) > 200;

    @Test
    void onSaleTheRibbonAndTheSalePriceAreDrawn() throws Exception {
        BufferedImage card = render(sample());
        assertEquals(600, card.getWidth());
        assertTrue(near(card.getRGB(300, 200), 0, 150, 60), "the photo covers its box");
        assertTrue(near(card.getRGB(21, 21), 255, 255, 255), "with rounded corners");
        assertTrue(near(card.getRGB(10, 10), 255, 255, 255), "and not outside it");
        assertTrue(near(card.getRGB(445, 45), 224, 0, 0), "the ribbon");
        assertNotNull(where(card, new Rectangle(440, 40, 140, 50), WHITE), "SALE on it");
        Rectangle price = where(card, new Rectangle(0, 440, 600, 160), YELLOW);
        assertNotNull(price, "the sale price, in yellow");
        assertTrue(new Rectangle(20, 545, 270, 45).contains(price), price.toString());
        Rectangle name = where(card, new Rectangle(0, 440, 600, 100), WHITE);
        assertTrue(new Rectangle(20, 450, 560, 90).contains(name), name.toString());
    }

    @Test
    void atFullPriceThereIsNoRibbon() throws Exception {
        ObjectNode data = sample();
        data.put("sale_price", 59.9);
        BufferedImage card = render(data);
        assertTrue(near(card.getRGB(445, 45), 0, 150, 60), "no ribbon: the photo shows");
        assertNull(where(card, new Rectangle(0, 440, 600, 160), YELLOW), "no sale price");
        assertNotNull(where(card, new Rectangle(20, 545, 270, 45), WHITE), "the price");
    }

    /** The README's second example: the low-stock line shows only while stock is low. */
    @Test
    void thePriceDropBannerShowsItsLowStockLineOnlyWhenLow() throws Exception {
        Template banner;
        try (var in = TemplateRendererTest.class.getResourceAsStream("/templates/price-drop.json")) {
            banner = new TemplateParser(8192).parse(in.readAllBytes());
        }
        ObjectNode data = ((ObjectNode) banner.sample()).deepCopy();
        String image = data.path("image").asText();
        IntPredicate pink = rgb -> (rgb >> 16 & 255) > 200 && (rgb >> 8 & 255) < 170 && (rgb & 255) < 170;
        BufferedImage low = TestImages.decode(VIPS.draw(TemplateRenderer.drawing(banner, data,
                Map.of(image, ByteBuffer.wrap(greenPhoto()))), PNG, new ImageLimits(50_000_000, 100)).bytes());
        assertEquals(1200, low.getWidth());
        assertNotNull(where(low, new Rectangle(640, 550, 520, 50), pink), "only 3 left");
        assertNotNull(where(low, new Rectangle(640, 60, 520, 80), YELLOW), "PRICE DROP");
        Rectangle price = where(low, new Rectangle(600, 400, 600, 150), WHITE);
        assertTrue(new Rectangle(640, 420, 520, 110).contains(price), price.toString());
        data.put("stock", 10);
        BufferedImage plenty = TestImages.decode(VIPS.draw(TemplateRenderer.drawing(banner, data,
                Map.of(image, ByteBuffer.wrap(greenPhoto()))), PNG, new ImageLimits(50_000_000, 100)).bytes());
        assertNull(where(plenty, new Rectangle(640, 550, 520, 50), pink), "no low-stock line");
        assertTrue(near(plenty.getRGB(300, 300), 0, 150, 60), "the photo, contained in its white frame");
        assertTrue(near(plenty.getRGB(60, 300), 255, 255, 255), "the frame");
    }

    @Test
    void missingDataNamesTheLayerAndField() throws Exception {
        Template card = new TemplateParser(8192).parse(TemplateParserTest.productCard());
        ObjectNode data = sample();
        data.remove("price");
        TemplateRenderer.BadData bad = assertThrows(TemplateRenderer.BadData.class,
                () -> TemplateRenderer.drawing(card, data, Map.of(SHOE, ByteBuffer.wrap(greenPhoto()))));
        assertEquals("template product-card, layer 4 (text): field 'price': missing", bad.getMessage());
        data.remove("image");
        assertThrows(TemplateRenderer.BadData.class, () -> TemplateRenderer.sources(card, data));
    }
}
