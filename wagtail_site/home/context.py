"""Template context of the demo site: the main menu (the home page's live children shown in
menus)."""

from wagtail.models import Site


def site_menu(request):
    """Looked up only when a template shows the menu (the site's pages): the client pages and
    the admin, which render through the same context processors, never pay for it."""

    def menu():
        site = Site.find_for_request(request)
        if site is None:
            return []
        return site.root_page.get_children().live().in_menu()

    # A callable: the template engine calls it when `site_menu` is first used.
    return {"site_menu": menu}
