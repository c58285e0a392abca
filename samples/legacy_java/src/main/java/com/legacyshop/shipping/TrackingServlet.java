package com.legacyshop.shipping;

import java.io.IOException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.springframework.web.context.support.WebApplicationContextUtils;

/** Public tracking page from before the REST API; mapped in web.xml. */
public class TrackingServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ShippingService shipping = WebApplicationContextUtils
                .getRequiredWebApplicationContext(getServletContext()).getBean(ShippingService.class);
        Shipment shipment = shipping.track(request.getParameter("code"));
        response.setContentType("text/plain");
        response.getWriter().println(shipment.getCarrier() + " " + shipment.getTrackingCode());
    }
}
